import Kernels

/// Deterministic random, valid weight data for the product tests (SplitMix64).
struct TestRNG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func float(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}

enum RandomWeights {
    /// Byte offsets of f16 scale fields per block (ggml-common.h).
    static func halfFields(_ f: BlockFormat) -> [Int] {
        switch f {
        case .q4_0, .q5_0, .q8_0: return [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: return [0, 2]
        case .q6_K: return [208]
        case .f32, .f16, .bf16: return []
        }
    }

    static func make(_ f: BlockFormat, rows: Int, cols: Int, rng: inout TestRNG) -> [UInt8] {
        let count = rows * cols
        var out: [UInt8] = []
        switch f {
        case .f32:
            for _ in 0..<count { withUnsafeBytes(of: rng.float(-1, 1).bitPattern.littleEndian) { out += $0 } }
        case .f16:
            for _ in 0..<count { withUnsafeBytes(of: Float16(rng.float(-1, 1)).bitPattern.littleEndian) { out += $0 } }
        case .bf16:
            for _ in 0..<count { withUnsafeBytes(of: UInt16(rng.float(-1, 1).bitPattern >> 16).littleEndian) { out += $0 } }
        default:
            let blocks = count / f.blockElements
            for _ in 0..<blocks {
                var blk = (0..<f.blockBytes).map { _ in rng.byte() }
                for off in halfFields(f) {
                    // Scales like real weights: sign either way, 0.001 .. 0.05.
                    let v = Float16(rng.float(0.001, 0.05) * (rng.next() & 1 == 0 ? 1 : -1))
                    blk[off] = UInt8(v.bitPattern & 0xFF)
                    blk[off + 1] = UInt8(v.bitPattern >> 8)
                }
                out += blk
            }
        }
        return out
    }
}
