import Foundation
import GGUF
@testable import Llama
import TestSupport

/// A small random-weights llama GGUF written by the tests themselves (GGUFWriter), for fast
/// structural and cache tests. Shapes: 2 layers, dim 64, 4 heads / 2 KV heads (head dim 16),
/// FFN 96, vocab 80, context 48. Matrices are Q4_1 (like the default model), the embedding
/// Q8_0 (tied as output head), norms F32.
///
/// The other architectures' variants: `qwen2` adds Q/K/V biases; `gemma3` has 6 layers (layer 5
/// global, the others with a sliding window of 4 positions), head dim 24 (so heads x head dim
/// is 96, not dim), per-head Q/K norms and post-attention/FFN norms.
struct TinyModel {
    static let layers = 2, dim = 64, heads = 4, kvHeads = 2, ffn = 96, vocab = 80, context = 48
    static let gemmaWindow = 4, gemmaHeadDim = 24

    let architecture: String
    let layers: Int
    let headDim: Int
    var writer = GGUFWriter()
    private var rng = SplitMix(seed: 42)

    init(architecture: String = "llama") throws {
        self.architecture = architecture
        layers = architecture == "gemma3" ? 6 : Self.layers
        headDim = architecture == "gemma3" ? Self.gemmaHeadDim : Self.dim / Self.heads
        let a = architecture
        writer.set("general.architecture", .string(a))
        writer.set("\(a).block_count", .uint32(UInt32(layers)))
        writer.set("\(a).embedding_length", .uint32(UInt32(Self.dim)))
        writer.set("\(a).feed_forward_length", .uint32(UInt32(Self.ffn)))
        writer.set("\(a).attention.head_count", .uint32(UInt32(Self.heads)))
        writer.set("\(a).attention.head_count_kv", .uint32(UInt32(Self.kvHeads)))
        // gemma3's global layers use the file's base, its local layers 10000 whatever the file says.
        writer.set("\(a).rope.freq_base", .float32(a == "gemma3" ? 1_000_000 : 10_000))
        writer.set("\(a).attention.layer_norm_rms_epsilon", .float32(1e-5))
        writer.set("\(a).context_length", .uint32(UInt32(Self.context)))
        writer.set("\(a).vocab_size", .uint32(UInt32(Self.vocab)))
        if a == "gemma3" {
            writer.set("gemma3.attention.key_length", .uint32(UInt32(headDim)))
            writer.set("gemma3.attention.value_length", .uint32(UInt32(headDim)))
            writer.set("gemma3.attention.sliding_window", .uint32(UInt32(Self.gemmaWindow)))
        }
    }

    /// Adds every tensor except those in `skipping`; `override` replaces a tensor's dims.
    mutating func addTensors(skipping: Set<String> = [], override: [String: [Int]] = [:]) throws {
        let kvDim = Self.kvHeads * headDim, qDim = Self.heads * headDim
        var specs: [(String, [Int], GGMLType)] = [
            ("token_embd.weight", [Self.dim, Self.vocab], .q8_0),
            ("output_norm.weight", [Self.dim], .f32),
        ]
        for l in 0..<layers {
            let p = "blk.\(l)."
            specs += [
                (p + "attn_norm.weight", [Self.dim], .f32),
                (p + "attn_q.weight", [Self.dim, qDim], .q4_1),
                (p + "attn_k.weight", [Self.dim, kvDim], .q4_1),
                (p + "attn_v.weight", [Self.dim, kvDim], .q4_1),
                (p + "attn_output.weight", [qDim, Self.dim], .q4_1),
                (p + "ffn_norm.weight", [Self.dim], .f32),
                (p + "ffn_gate.weight", [Self.dim, Self.ffn], .q4_1),
                (p + "ffn_up.weight", [Self.dim, Self.ffn], .q4_1),
                (p + "ffn_down.weight", [Self.ffn, Self.dim], .q4_1),
            ]
            if architecture == "qwen2" {
                specs += [(p + "attn_q.bias", [qDim], .f32), (p + "attn_k.bias", [kvDim], .f32),
                          (p + "attn_v.bias", [kvDim], .f32)]
            }
            if architecture == "gemma3" {
                specs += [(p + "attn_q_norm.weight", [headDim], .f32), (p + "attn_k_norm.weight", [headDim], .f32),
                          (p + "post_attention_norm.weight", [Self.dim], .f32), (p + "post_ffw_norm.weight", [Self.dim], .f32)]
            }
        }
        for (name, dims, type) in specs where !skipping.contains(name) {
            let d = override[name] ?? dims
            try writer.addTensor(name: name, dims: d, type: type, bytes: randomBytes(type, elements: d.reduce(1, *)))
        }
    }

    /// Writes the file to a fresh temporary path and returns the path.
    func write() throws -> String {
        let path = NSTemporaryDirectory() + "kvserve-tiny-\(UUID().uuidString).gguf"
        try writer.write(to: path)
        return path
    }

    static func load(threads: Int = 2, architecture: String = "llama") throws -> LlamaModel {
        var t = try TinyModel(architecture: architecture)
        try t.addTensors()
        let path = try t.write()
        defer { unlink(path) }
        return try LlamaModel(file: GGUFFile(path: path), threads: threads)
    }

    /// Valid random blocks: scales ~0.02-0.05 so activations stay in a sane range.
    private mutating func randomBytes(_ type: GGMLType, elements: Int) -> [UInt8] {
        var out: [UInt8] = []
        switch type {
        case .f32:
            for _ in 0..<elements { append(&out, (0.8 + 0.4 * rng.unit()).bitPattern) }
        case .q8_0:
            for _ in 0..<(elements / 32) {
                append(&out, Float16(0.002 + 0.004 * rng.unit()).bitPattern)
                for _ in 0..<32 { out.append(UInt8(truncatingIfNeeded: rng.next())) }
            }
        case .q4_1:
            for _ in 0..<(elements / 32) {
                let d = 0.01 + 0.02 * rng.unit()
                append(&out, Float16(d).bitPattern)
                append(&out, Float16(-8 * d).bitPattern)
                for _ in 0..<16 { out.append(UInt8(truncatingIfNeeded: rng.next())) }
            }
        default:
            break
        }
        return out
    }

    private func append<T: FixedWidthInteger>(_ out: inout [UInt8], _ v: T) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }
}

