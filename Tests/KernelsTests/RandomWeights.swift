import Kernels
import TestSupport

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

    static func make(_ f: BlockFormat, rows: Int, cols: Int, rng: inout SplitMix) -> [UInt8] {
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

    /// `bytes` with every byte but the f16 scales set to `fill`; Q6_K's int8 sub-block scales
    /// become 127 so that 0x00 quants (q - 32 = -32) still count.
    static func filled(_ f: BlockFormat, _ bytes: [UInt8], _ fill: UInt8) -> [UInt8] {
        var out = bytes
        let halves = Set(halfFields(f).flatMap { [$0, $0 + 1] })
        for i in out.indices {
            let o = i % f.blockBytes
            if halves.contains(o) { continue }
            out[i] = f == .q6_K && (192..<208).contains(o) ? 127 : fill
        }
        return out
    }
}
