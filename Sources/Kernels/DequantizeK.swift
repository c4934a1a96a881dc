/// K-quant super-blocks of 256 elements (ggml-common.h `block_q4_K`, `block_q5_K`,
/// `block_q6_K`), dequantized as gguf-py `quants.py` does, operation by operation.
enum DequantizeK {
    /// 6-bit scale and min of sub-block j (0..<8) from the 12 packed bytes (gguf-py
    /// `Q4_K.get_scale_min`): bytes 0-3 hold scales 0-3 (low 6 bits), 4-7 mins 0-3, and
    /// 8-11 the low nibbles of scales/mins 4-7 whose top 2 bits sit in bytes 0-7.
    @inline(__always)
    static func scaleMin(_ s: UnsafePointer<UInt8>, _ j: Int) -> (Float, Float) {
        if j < 4 {
            return (Float(s[j] & 63), Float(s[j + 4] & 63))
        }
        let sc = (s[j + 4] & 0x0F) | ((s[j - 4] >> 2) & 0x30)
        let m = (s[j + 4] >> 4) | ((s[j] >> 2) & 0x30)
        return (Float(sc), Float(m))
    }

    static func q4_K(_ blk: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        q45_K(blk, quants: blk + 16, highBits: nil, out)
    }

    static func q5_K(_ blk: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        q45_K(blk, quants: blk + 48, highBits: (blk + 16).assumingMemoryBound(to: UInt8.self), out)
    }

    /// q4_K and q5_K share the layout: f16 d and dmin, 12 bytes of packed scales/mins, then for
    /// q5_K 32 bytes of fifth bits, then 128 bytes of nibbles. Sub-block j uses the 32 bytes
    /// qs[32*(j/2) ..< +32], low nibbles if j is even; in q5_K the 5th bit of its element l is
    /// bit j of qh[l].
    @inline(__always)
    private static func q45_K(_ blk: UnsafeRawPointer, quants: UnsafeRawPointer, highBits qh: UnsafePointer<UInt8>?,
                              _ out: UnsafeMutablePointer<Float>) {
        let d = loadHalf(blk, 0)
        let dmin = loadHalf(blk, 2)
        let scales = (blk + 4).assumingMemoryBound(to: UInt8.self)
        let qs = quants.assumingMemoryBound(to: UInt8.self)
        for j in 0..<8 {
            let (sc, m) = scaleMin(scales, j)
            let dl = d * sc
            let ml = dmin * m
            let q = qs + 32 * (j / 2)
            let shift: UInt8 = j % 2 == 0 ? 0 : 4
            for l in 0..<32 {
                var v = (q[l] >> shift) & 0x0F
                if let qh { v |= ((qh[l] >> UInt8(j)) & 1) << 4 }
                out[32 * j + l] = dl * Float(v) - ml
            }
        }
    }

    static func q6_K(_ blk: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let ql = blk.assumingMemoryBound(to: UInt8.self)
        let qh = (blk + 128).assumingMemoryBound(to: UInt8.self)
        let scales = (blk + 192).assumingMemoryBound(to: Int8.self)
        let d = loadHalf(blk, 208)
        // Two halves of 128 elements. In half h, element r takes the nibble
        // ql[64h + r%64] >> 4*(r/64) and the 2 high bits qh[32h + r%32] >> 2*(r/32).
        for h in 0..<2 {
            for r in 0..<128 {
                let lo = (ql[64 * h + r % 64] >> UInt8(4 * (r / 64))) & 0x0F
                let hi = (qh[32 * h + r % 32] >> UInt8(2 * (r / 32))) & 0x03
                let q = Int(lo | (hi << 4)) - 32
                let e = 128 * h + r
                let dl = d * Float(scales[e / 16])
                out[e] = dl * Float(q)
            }
        }
    }
}
