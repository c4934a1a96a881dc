import GGUF
import Kernels

/// What the App logs at load and `/health` reports: architecture, quantization, and each
/// weight format with how many matrices use it.
extension LlamaModel {
    /// `general.architecture`, e.g. "qwen2".
    public var architecture: String { config.architecture }

    /// The file's quantization mix by name (`general.file_type`, e.g. "Q4_K_M"), or the most
    /// common matrix format when the file does not say.
    public var quantization: String {
        if let t = file.optionalInt("general.file_type"), let name = FileType.name(t) { return name }
        return tensorTypeCounts.max(by: { $0.count < $1.count }).map { "\($0.format)".uppercased() } ?? "unknown"
    }

    /// Every weight matrix's format with its count, most used first (the tied embedding/head
    /// counted once).
    public var tensorTypeCounts: [(format: BlockFormat, count: Int)] {
        var counts: [BlockFormat: Int] = [:]
        for m in weights.matrices { counts[m.format, default: 0] += 1 }
        return counts.map { (format: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.format.rawValue < $1.format.rawValue }
    }

    /// Names the model's cache shape and element type for session logs, e.g.
    /// "llama-f16 layers=30 kv_dim=192": a log whose layout differs in shape is refused; one
    /// that differs only in type is converted on load (`convertibleCacheLayouts`).
    public func cacheLayout(_ type: KVCacheType) -> String {
        "\(config.architecture)-\(type.rawValue) layers=\(config.layers) kv_dim=\(config.kvDim)"
    }

    /// Layouts of this model's other cache types: their logs load under `type` (KVCache
    /// converts the rows, see KVCache+Serialization.swift). Logs written before the cache
    /// had a type said "-f32", so they are among these.
    public func convertibleCacheLayouts(to type: KVCacheType) -> [String] {
        KVCacheType.allCases.filter { $0 != type }.map(cacheLayout)
    }
}

/// llama.cpp's `llama_ftype` numbers (`general.file_type`) and their usual names.
enum FileType {
    static func name(_ t: Int) -> String? {
        let names: [Int: String] = [
            0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
            10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
            16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 32: "BF16",
        ]
        return names[t]
    }
}
