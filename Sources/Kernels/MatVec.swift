import CKernels

/// Matrix-vector and matrix-matrix products with weights kept in their storage format.
/// The quantized formats (all but BF16) quantize the activations to 8-bit blocks and use the C
/// integer kernels; F32/F16 use the C float kernels; BF16 (or any format on a CPU without AVX2)
/// dequantizes one row at a time in Swift and takes f32 dot products. `kernelDescription(for:)`
/// says which path a format takes.
extension Kernels {
    /// y[rows] = W x;  x: [w.cols]
    public static func matvec(_ w: WeightMatrix, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                              pool: ThreadPool) {
        product(count: 1, { _ in w }, x, n: 1, { _ in y }, pool: pool)
    }

    /// Y[n][w.rows] = X[n][w.cols] W^T (prefill). Each group of 4 weight rows is loaded once
    /// and applied to all n tokens (4 at a time) while it sits in L1.
    public static func matmul(_ w: WeightMatrix, _ x: UnsafePointer<Float>, n: Int, _ y: UnsafeMutablePointer<Float>,
                              pool: ThreadPool) {
        product(count: 1, { _ in w }, x, n: n, { _ in y }, pool: pool)
    }

    /// Several matrices applied to the same input (e.g. Q, K and V; or FFN gate and up):
    /// ys[i]: [n][ws[i].rows] = X[n][cols] ws[i]^T. One activation quantization and one
    /// parallel job for all of them, so fewer thread hand-overs per token. All ws share `cols`.
    public static func matmul(_ ws: [WeightMatrix], _ x: UnsafePointer<Float>, n: Int,
                              _ ys: [UnsafeMutablePointer<Float>], pool: ThreadPool) {
        guard ws.count == ys.count, ws.allSatisfy({ $0.cols == ws[0].cols }) else { return }
        product(count: ws.count, { ws[$0] }, x, n: n, { ys[$0] }, pool: pool)
    }

    /// Work items are row chunks of every matrix in turn; chunk sizes and first item indices
    /// live in a small stack table so the per-token path allocates nothing.
    private static func product(count: Int, _ wAt: (Int) -> WeightMatrix, _ x: UnsafePointer<Float>, n: Int,
                                _ yAt: (Int) -> UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let cols = count > 0 ? wAt(0).cols : 0
        guard cols > 0, n > 0 else { return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * count) { table in
            // table[i] = chunk rows of matrix i; table[count + i] = index of its first work item.
            var items = 0
            var needsQ8 = false
            for i in 0..<count {
                let w = wAt(i)
                let chunk = chunkRows(w.rows, threads: pool.threads, tokens: n)
                table[i] = chunk
                table[count + i] = items
                items += (w.rows + chunk - 1) / chunk
                needsQ8 = needsQ8 || usesQ8(w.format)
            }
            needsQ8 = needsQ8 && ck_isa() > 0
            withUnsafeTemporaryAllocation(of: ck_q8_block.self, capacity: needsQ8 ? n * (cols / 32) : 1) { xq in
                guard let xqBase = xq.baseAddress else { return }
                if needsQ8 { quantizeRows(x, n: n, cols: cols, into: xqBase, pool: pool) }
                pool.parallelFor(items) { k in
                    var m = 0
                    while m + 1 < count && table[count + m + 1] <= k { m += 1 }
                    let w = wAt(m)
                    let r0 = (k - table[count + m]) * table[m]
                    rows(w, x, xqBase, n: n, yAt(m), r0..<min(r0 + table[m], w.rows))
                }
            }
        }
    }

    @inline(__always)
    static func usesQ8(_ f: BlockFormat) -> Bool {
        switch f {
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K: return true
        case .f32, .f16, .bf16: return false
        }
    }

    /// Y rows `range` for every token, through the fastest path available for w's format.
    static func rows(_ w: WeightMatrix, _ x: UnsafePointer<Float>, _ xq: UnsafePointer<ck_q8_block>, n: Int,
                     _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        if ck_isa() > 0 {
            let fmt = Int32(bitPattern: w.format.rawValue)
            let q8 = usesQ8(w.format)
            if ck_matmul(fmt, w.data, w.rowBytes, Int32(w.cols), q8 ? xq : nil, q8 ? nil : x, Int32(n),
                         y, w.rows, Int32(range.lowerBound), Int32(range.upperBound)) != 0 {
                return
            }
        }
        referenceRows(w, x, n: n, y, rows: range)
    }

    /// Portable path and test oracle: dequantize each row, f32 dot with every token.
    static func referenceRows(_ w: WeightMatrix, _ x: UnsafePointer<Float>, n: Int, _ y: UnsafeMutablePointer<Float>,
                              rows: Range<Int>) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: w.cols) { buf in
            guard let row = buf.baseAddress else { return }
            for r in rows {
                dequantizeRow(w, row: r, into: row)
                for t in 0..<n {
                    y[t * w.rows + r] = dot(row, x + t * w.cols, n: w.cols)
                }
            }
        }
    }

    /// Rows per parallel work item: a multiple of 4 (the kernels' row group), about 8 items per
    /// thread so a thread slowed by another process does not hold up the rest. A decode matvec
    /// (1-3 tokens) takes 4 per thread: its items are small (a 192-row K matrix is 70 KB), each
    /// claim moves the pool's ticket line between cores, and each item's first rows go without
    /// the kernel's software prefetch, so fewer, longer items stream better.
    static func chunkRows(_ rows: Int, threads: Int, tokens: Int = 4) -> Int {
        let perThread = tokens < 4 ? 4 : 8
        let target = max(4, rows / max(1, threads * perThread))
        return (target + 3) / 4 * 4
    }

    /// x: [n][cols] -> xq: [n][cols/32]; split over the pool when there are many tokens.
    static func quantizeRows(_ x: UnsafePointer<Float>, n: Int, cols: Int, into xq: UnsafeMutablePointer<ck_q8_block>,
                             pool: ThreadPool) {
        let nb = cols / 32
        if n < 8 {
            ck_quantize_q8(x, xq, Int32(n * nb))
            return
        }
        let perItem = 8
        pool.parallelFor((n + perItem - 1) / perItem) { i in
            let t0 = i * perItem
            let t1 = min(t0 + perItem, n)
            ck_quantize_q8(x + t0 * cols, xq + t0 * nb, Int32((t1 - t0) * nb))
        }
    }
}
