/// Inner loops of attention over one head: small (headDim ~64) and called once per cached
/// position, so they are inlined here instead of calling across modules per row.
/// Plain SIMD mul/add (no addingProduct: without a target CPU that lowers to fmaf calls).
enum AttentionMath {
    /// scores[p] = scale * dot(q, keys[p * stride ..< p * stride + hd]) for p in 0..<len.
    @inline(__always)
    static func scores(q: UnsafePointer<Float>, keys: UnsafePointer<Float>, stride: Int, hd: Int, len: Int,
                       scale: Float, into scores: UnsafeMutablePointer<Float>) {
        guard hd % 16 == 0 else {
            for p in 0..<len {
                var s: Float = 0
                for d in 0..<hd { s += q[d] * keys[p * stride + d] }
                scores[p] = s * scale
            }
            return
        }
        let qr = UnsafeRawPointer(q)
        for p in 0..<len {
            let kr = UnsafeRawPointer(keys + p * stride)
            var acc = SIMD16<Float>()
            var d = 0
            while d < hd {
                let off = d * MemoryLayout<Float>.size
                acc = acc + qr.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                    * kr.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                d += 16
            }
            let h8 = acc.lowHalf + acc.highHalf
            let h4 = h8.lowHalf + h8.highHalf
            let h2 = h4.lowHalf + h4.highHalf
            scores[p] = (h2[0] + h2[1]) * scale
        }
    }

    /// out[0..<hd] += sum over p of weights[p] * values[p * stride ..< p * stride + hd].
    /// Walks the output in 16-wide slices kept in registers across all positions.
    @inline(__always)
    static func weightedSum(weights: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int, hd: Int,
                            len: Int, into out: UnsafeMutablePointer<Float>) {
        guard hd % 16 == 0 else {
            for p in 0..<len {
                for d in 0..<hd { out[d] += weights[p] * values[p * stride + d] }
            }
            return
        }
        var d = 0
        while d < hd {
            var acc = UnsafeRawPointer(out + d).loadUnaligned(as: SIMD16<Float>.self)
            var p = 0
            while p < len {
                let v = UnsafeRawPointer(values + p * stride + d).loadUnaligned(as: SIMD16<Float>.self)
                acc = acc + SIMD16<Float>(repeating: weights[p]) * v
                p += 1
            }
            UnsafeMutableRawPointer(out + d).storeBytes(of: acc, as: SIMD16<Float>.self)
            d += 16
        }
    }
}
