/// Weight storage formats the kernels understand. Raw values equal ggml's `ggml_type`
/// (and GGUF's `GGMLType`), so `BlockFormat(rawValue: tensor.type.rawValue)` converts.
public enum BlockFormat: UInt32, CaseIterable, Sendable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8
    case q4_K = 12, q5_K = 13, q6_K = 14, bf16 = 30

    /// Elements per block (1 for plain float formats).
    public var blockElements: Int {
        switch self {
        case .f32, .f16, .bf16: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: return 32
        case .q4_K, .q5_K, .q6_K: return 256
        }
    }

    /// Bytes per block; layouts as in ggml-common.h (`block_q4_1` etc.).
    public var blockBytes: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .q4_0: return 18    // half d; u8 qs[16]
        case .q4_1: return 20    // half d, half m; u8 qs[16]
        case .q5_0: return 22    // half d; u8 qh[4]; u8 qs[16]
        case .q5_1: return 24    // half d, half m; u8 qh[4]; u8 qs[16]
        case .q8_0: return 34    // half d; i8 qs[32]
        case .q4_K: return 144   // half d, dmin; u8 scales[12]; u8 qs[128]
        case .q5_K: return 176   // half d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]
        case .q6_K: return 210   // u8 ql[128]; u8 qh[64]; i8 scales[16]; half d
        }
    }

    /// Bytes for `count` elements (count must be a whole number of blocks).
    public func byteCount(elements count: Int) -> Int {
        count / blockElements * blockBytes
    }
}
