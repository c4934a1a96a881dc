import GGUF
import Kernels

/// One transformer block's weights: views into the GGUF mapping, never copied.
/// Matrices are `[rows][cols]` (a row is GGUF dims[0] long); y = W x. Optional parts exist
/// only when the architecture's BlockOptions ask for them.
struct LayerWeights {
    let attnNorm: UnsafePointer<Float>  // [dim]
    let wq: WeightMatrix                // [qDim][dim]
    let wk: WeightMatrix                // [kvDim][dim]
    let wv: WeightMatrix                // [kvDim][dim]
    let wo: WeightMatrix                // [dim][qDim]
    let ffnNorm: UnsafePointer<Float>   // [dim]
    let gate: WeightMatrix              // [ffnDim][dim]
    let up: WeightMatrix                // [ffnDim][dim]
    let down: WeightMatrix              // [dim][ffnDim]
    var qBias, kBias, vBias: UnsafePointer<Float>?  // [qDim], [kvDim], [kvDim] (qkvBias)
    var qNorm, kNorm: UnsafePointer<Float>?         // [headDim] each (qkNorm)
    var postAttnNorm, postFFNNorm: UnsafePointer<Float>?  // [dim] each (postNorms)

    var matrices: [WeightMatrix] { [wq, wk, wv, wo, gate, up, down] }
}

/// All weights of a model, checked against the config (names per the GGUF spec's tensor
/// naming: token_embd, blk.N.attn_q, ..., output_norm, output).
struct LlamaWeights {
    let tokenEmbedding: WeightMatrix    // [vocab][dim]
    let outputNorm: UnsafePointer<Float> // [dim]
    let output: WeightMatrix            // [vocab][dim]; token_embd when output.weight is absent (tied)
    let tiedOutput: Bool
    let layers: [LayerWeights]

    init(file: GGUFFile, config c: LlamaConfig) throws {
        let t = TensorLoader(file: file)
        tokenEmbedding = try t.matrix("token_embd.weight", rows: c.vocab, cols: c.dim)
        outputNorm = try t.vector("output_norm.weight", count: c.dim)
        tiedOutput = file.tensor(named: "output.weight") == nil
        output = tiedOutput ? tokenEmbedding : try t.matrix("output.weight", rows: c.vocab, cols: c.dim)
        layers = try (0..<c.layers).map { try Self.layer($0, t, c) }
    }

    private static func layer(_ i: Int, _ t: TensorLoader, _ c: LlamaConfig) throws -> LayerWeights {
        let p = "blk.\(i)."
        var w = LayerWeights(
            attnNorm: try t.vector(p + "attn_norm.weight", count: c.dim),
            wq: try t.matrix(p + "attn_q.weight", rows: c.qDim, cols: c.dim),
            wk: try t.matrix(p + "attn_k.weight", rows: c.kvDim, cols: c.dim),
            wv: try t.matrix(p + "attn_v.weight", rows: c.kvDim, cols: c.dim),
            wo: try t.matrix(p + "attn_output.weight", rows: c.dim, cols: c.qDim),
            ffnNorm: try t.vector(p + "ffn_norm.weight", count: c.dim),
            gate: try t.matrix(p + "ffn_gate.weight", rows: c.ffnDim, cols: c.dim),
            up: try t.matrix(p + "ffn_up.weight", rows: c.ffnDim, cols: c.dim),
            down: try t.matrix(p + "ffn_down.weight", rows: c.dim, cols: c.ffnDim))
        let o = c.options
        if o.qkvBias {
            w.qBias = try t.vector(p + "attn_q.bias", count: c.qDim)
            w.kBias = try t.vector(p + "attn_k.bias", count: c.kvDim)
            w.vBias = try t.vector(p + "attn_v.bias", count: c.kvDim)
        }
        if o.qkNorm {
            w.qNorm = try t.vector(p + "attn_q_norm.weight", count: c.headDim)
            w.kNorm = try t.vector(p + "attn_k_norm.weight", count: c.headDim)
        }
        if o.postNorms {
            w.postAttnNorm = try t.vector(p + "post_attention_norm.weight", count: c.dim)
            w.postFFNNorm = try t.vector(p + "post_ffw_norm.weight", count: c.dim)
        }
        return w
    }

    /// Every matrix the model multiplies by (the embedding only when it is also the head).
    var matrices: [WeightMatrix] {
        layers.flatMap(\.matrices) + [output] + (tiedOutput ? [] : [tokenEmbedding])
    }
}

/// Looks tensors up by name and checks dims and type, with errors that name the tensor.
private struct TensorLoader {
    let file: GGUFFile

    func info(_ name: String, dims: [Int]) throws -> GGUFTensorInfo {
        guard let info = file.tensor(named: name) else { throw LlamaError.missingTensor(name) }
        // GGUF may store trailing 1s in dims; compare without them.
        var found = info.dims
        while found.count > dims.count, found.last == 1 { found.removeLast() }
        guard found == dims else { throw LlamaError.badTensorShape(name: name, expected: dims, found: info.dims) }
        return info
    }

    func matrix(_ name: String, rows: Int, cols: Int) throws -> WeightMatrix {
        let i = try info(name, dims: [cols, rows])
        guard let format = BlockFormat(rawValue: i.type.rawValue) else {
            let names = BlockFormat.allCases.map { "\($0)" }.joined(separator: ", ")
            throw LlamaError.unsupportedTensorType(name: name, type: "\(i.type) (supported: \(names))")
        }
        return WeightMatrix(format: format, rows: rows, cols: cols, data: file.data(of: i))
    }

    func vector(_ name: String, count: Int) throws -> UnsafePointer<Float> {
        let i = try info(name, dims: [count])
        guard i.type == .f32 else { throw LlamaError.unsupportedTensorType(name: name, type: "\(i.type) (norm weights and biases must be f32)") }
        return file.data(of: i).assumingMemoryBound(to: Float.self)
    }
}
