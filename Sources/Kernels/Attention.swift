import CKernels

/// Batched forms of the attention inner loops for one query head, so a whole context is one
/// call instead of one small dot/axpy per cached position.
extension Kernels {
    /// scores[p] = scale * dot(q, keys + p * stride) for p in 0..<count; each vector n floats.
    public static func dotRows(_ q: UnsafePointer<Float>, _ keys: UnsafePointer<Float>, stride: Int, count: Int, n: Int,
                               scale: Float, into scores: UnsafeMutablePointer<Float>) {
        guard count > 0 else { return }
        if ck_dot_rows(q, keys, stride, Int32(count), Int32(n), scale, scores) != 0 { return }
        for p in 0..<count { scores[p] = dot(q, keys + p * stride, n: n) * scale }
    }

    /// out[i] += sum_p weights[p] * values[p * stride + i] for i in 0..<n, p in 0..<count.
    public static func axpyRows(_ weights: UnsafePointer<Float>, _ values: UnsafePointer<Float>, stride: Int, count: Int,
                                n: Int, into out: UnsafeMutablePointer<Float>) {
        guard count > 0 else { return }
        if ck_axpy_rows(weights, values, stride, Int32(count), Int32(n), out) != 0 { return }
        for p in 0..<count { axpy(weights[p], values + p * stride, out, n: n) }
    }
}
