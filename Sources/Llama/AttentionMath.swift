import Kernels

/// Inner loops of attention over the query heads of one grouped-query group (head size ~64),
/// reading the cache rows in their stored type: ck_attention.c (AVX2 + F16C) decodes each f16
/// or q8_0 row once for every head of the group; a Swift loop runs when it does not apply.
enum AttentionMath {
    /// scores[j * scoresStride + p] = scale * dot(head j's query, K row p's hd values) for
    /// p in 0..<len, head j's query at q + j * hd; rows rowBytes apart from keys.
    @inline(__always)
    static func scores(_ format: BlockFormat, q: UnsafePointer<Float>, heads: Int, keys: UnsafeRawPointer, rowBytes: Int,
                       hd: Int, len: Int, scale: Float, into scores: UnsafeMutablePointer<Float>, scoresStride: Int) {
        Kernels.groupDotRows(format, q, qStride: hd, heads: heads, keys, rowBytes: rowBytes, count: len, n: hd, scale: scale,
                             into: scores, scoresStride: scoresStride)
    }

    /// out[j * hd + i] += sum over p of weights[j * weightsStride + p] * V row p's value i.
    @inline(__always)
    static func weightedSum(_ format: BlockFormat, weights: UnsafePointer<Float>, weightsStride: Int, heads: Int,
                            values: UnsafeRawPointer, rowBytes: Int, hd: Int, len: Int, into out: UnsafeMutablePointer<Float>) {
        Kernels.groupAxpyRows(format, weights, weightsStride: weightsStride, heads: heads, values, rowBytes: rowBytes,
                              count: len, n: hd, into: out, outStride: hd)
    }
}
