import Kernels

/// Speculative decoding verifies drafts with one forward over several tokens and must pick,
/// at every position, the token one-token-at-a-time decoding picks (greedy output identical
/// to plain decoding, not merely close). For most formats a row of a matrix product sums in
/// the same order whatever the number of rows (ck_impl.h), so the logits agree bit for bit.
/// The K-quant kernels do not: 1-2 rows take the decode path of ck_impl_k1.h, more rows the
/// buffered 4-row path, which sums in another order (differences ~1e-6 that flip near-ties).
/// So with `forward(..., rowExact: true)` K-quant products run two rows at a time.
extension LlamaModel {
    static func sumsOrderDependsOnRows(_ format: BlockFormat) -> Bool {
        switch format {
        case .q4_K, .q5_K, .q6_K: return true
        default: return false
        }
    }

    /// y[n][w.rows] = x[n][w.cols] W^T in products of at most two rows (each row as a one-row
    /// product sums it). Costs one more read of w per two rows.
    func projectRowExact(_ w: WeightMatrix, _ x: UnsafePointer<Float>, n: Int, _ y: UnsafeMutablePointer<Float>) {
        var i = 0
        while i < n {
            let m = min(2, n - i)
            if m == 1 {
                Kernels.matvec(w, x + i * w.cols, y + i * w.rows, pool: pool)
            } else {
                Kernels.matmul(w, x + i * w.cols, n: m, y + i * w.rows, pool: pool)
            }
            i += m
        }
    }
}
