import Kernels

/// Inner loops of attention over one head (head size ~64, a block of cached positions per call).
/// Both forward to the C kernels behind Kernels.dotRows / axpyRows: 512-bit AVX-512 or 256-bit
/// AVX2 chosen at run time (ckernels.c), a Swift loop when neither applies. Swift SIMD here
/// compiled to SSE without FMA and reduced every row separately: 20-33% of decode at 512 context.
enum AttentionMath {
    /// scores[p] = scale * dot(q, keys[p * stride ..< p * stride + hd]) for p in 0..<len.
    @inline(__always)
    static func scores(q: UnsafePointer<Float>, keys: UnsafePointer<Float>, stride: Int, hd: Int, len: Int,
                       scale: Float, into scores: UnsafeMutablePointer<Float>) {
        Kernels.dotRows(q, keys, stride: stride, count: len, n: hd, scale: scale, into: scores)
    }

    /// out[0..<hd] += sum over p of weights[p] * values[p * stride ..< p * stride + hd].
    @inline(__always)
    static func weightedSum(weights: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int, hd: Int,
                            len: Int, into out: UnsafeMutablePointer<Float>) {
        Kernels.axpyRows(weights, values, stride: stride, count: len, n: hd, into: out)
    }
}
