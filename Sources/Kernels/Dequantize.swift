/// Block dequantization in plain Swift: the portable path and the test oracle. Each formula
/// follows gguf-py `gguf/quants.py` (`dequantize_blocks`) operation by operation, including
/// the order of float multiplies and adds, so results match it bit for bit.
enum Dequantize {
    /// Dequantizes `blocks` consecutive blocks from `src` into `dst` (blocks * blockElements floats).
    static func blocks(_ format: BlockFormat, _ src: UnsafeRawPointer, _ blocks: Int, _ dst: UnsafeMutablePointer<Float>) {
        let bb = format.blockBytes
        let be = format.blockElements
        switch format {
        case .f32:
            for i in 0..<blocks { dst[i] = Float(bitPattern: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
        case .f16:
            for i in 0..<blocks { dst[i] = loadHalf(src, 2 * i) }
        case .bf16:
            for i in 0..<blocks { dst[i] = bf16ToFloat(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        default:
            for b in 0..<blocks {
                let blk = src + b * bb
                let out = dst + b * be
                switch format {
                case .q4_0: q4_0(blk, out)
                case .q4_1: q4_1(blk, out)
                case .q5_0: q5_0(blk, out)
                case .q5_1: q5_1(blk, out)
                case .q8_0: q8_0(blk, out)
                case .q4_K: DequantizeK.q4_K(blk, out)
                case .q5_K: DequantizeK.q5_K(blk, out)
                case .q6_K: DequantizeK.q6_K(blk, out)
                case .f32, .f16, .bf16: break
                }
            }
        }
    }

    // Legacy 32-element blocks: element j < 16 is the low nibble of qs[j], j >= 16 the high nibble of qs[j-16].
    @inline(__always)
    private static func nibble(_ qs: UnsafePointer<UInt8>, _ j: Int) -> UInt8 {
        j < 16 ? qs[j] & 0x0F : qs[j - 16] >> 4
    }

    static func q4_0(_ blk: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = loadHalf(blk, 0)
        let qs = (blk + 2).assumingMemoryBound(to: UInt8.self)
        for j in 0..<32 { out[j] = d * Float(Int(nibble(qs, j)) - 8) }
    }

    static func q4_1(_ blk: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = loadHalf(blk, 0)
        let m = loadHalf(blk, 2)
        let qs = (blk + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<32 { out[j] = d * Float(nibble(qs, j)) + m }
    }

    static func q5_0(_ blk: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = loadHalf(blk, 0)
        let qh = blk.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
        let qs = (blk + 6).assumingMemoryBound(to: UInt8.self)
        for j in 0..<32 {
            let q = Int(nibble(qs, j)) | Int((qh >> UInt32(j)) & 1) << 4
            out[j] = d * Float(q - 16)
        }
    }

    static func q5_1(_ blk: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = loadHalf(blk, 0)
        let m = loadHalf(blk, 2)
        let qh = blk.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        let qs = (blk + 8).assumingMemoryBound(to: UInt8.self)
        for j in 0..<32 {
            let q = Int(nibble(qs, j)) | Int((qh >> UInt32(j)) & 1) << 4
            out[j] = d * Float(q) + m
        }
    }

    static func q8_0(_ blk: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = loadHalf(blk, 0)
        let qs = (blk + 2).assumingMemoryBound(to: Int8.self)
        for j in 0..<32 { out[j] = Float(qs[j]) * d }
    }
}
