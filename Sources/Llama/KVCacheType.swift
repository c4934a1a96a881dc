import Kernels

/// Element type of the KV cache (the `kv_cache_type` setting). f16 halves the bytes of f32
/// (llama.cpp's default too); q8_0 stores blocks of 32 int8 values with a half scale each
/// (ggml's block_q8_0, 34 bytes per 32 values); f32 is exact and kept for the exact-maths
/// fidelity test. Attention reads every type in place (Kernels/KVRows.swift).
public enum KVCacheType: String, CaseIterable, Sendable {
    case f32, f16, q8_0

    /// The row layout in the kernels' terms.
    var rowFormat: BlockFormat {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .q8_0: return .q8_0
        }
    }

    /// Bytes of one K (or V) row of `width` values.
    public func rowBytes(width: Int) -> Int { rowFormat.byteCount(elements: width) }

    /// Bytes one token takes: every layer's K and V row.
    public func bytesPerToken(layers: Int, rowWidth: Int) -> Int { layers * 2 * rowBytes(width: rowWidth) }

    /// Why a model with this head size cannot use this type, or nil. q8_0 blocks must not
    /// straddle two heads: attention reads one head's slice of a row at a time.
    public func unsupportedReason(headDim: Int) -> String? {
        let block = rowFormat.blockElements
        guard headDim % block == 0 else {
            return "kv_cache_type \(rawValue) needs a head size that is a multiple of \(block); this model's is \(headDim)"
        }
        return nil
    }
}
