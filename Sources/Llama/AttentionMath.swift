import Kernels

/// Inner loops of attention over one head (head size ~64, a block of cached positions per call),
/// reading the cache rows in their stored type. f32 rows go to the float kernels behind
/// Kernels.dotRows / axpyRows (512-bit AVX-512 or 256-bit AVX2, ckernels.c); f16 and q8_0 rows
/// to ck_attention.c (AVX2 + F16C), which reads them in place; a Swift loop when neither applies.
enum AttentionMath {
    /// scores[p] = scale * dot(q, K row p's hd values) for p in 0..<len; rows rowBytes apart from keys.
    @inline(__always)
    static func scores(_ format: BlockFormat, q: UnsafePointer<Float>, keys: UnsafeRawPointer, rowBytes: Int, hd: Int,
                       len: Int, scale: Float, into scores: UnsafeMutablePointer<Float>) {
        Kernels.dotRows(format, q, keys, rowBytes: rowBytes, count: len, n: hd, scale: scale, into: scores)
    }

    /// out[0..<hd] += sum over p of weights[p] * V row p's hd values.
    @inline(__always)
    static func weightedSum(_ format: BlockFormat, weights: UnsafePointer<Float>, values: UnsafeRawPointer, rowBytes: Int,
                            hd: Int, len: Int, into out: UnsafeMutablePointer<Float>) {
        Kernels.axpyRows(format, weights, values, rowBytes: rowBytes, count: len, n: hd, into: out)
    }
}
