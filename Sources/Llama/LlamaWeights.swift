import GGUF
import Kernels

/// One transformer block's weights: views into the GGUF mapping, never copied.
/// Matrices are `[rows][cols]` (a row is GGUF dims[0] long); y = W x.
struct LayerWeights {
    let attnNorm: UnsafePointer<Float>  // [dim]
    let wq: WeightMatrix                // [dim][dim]
    let wk: WeightMatrix                // [kvDim][dim]
    let wv: WeightMatrix                // [kvDim][dim]
    let wo: WeightMatrix                // [dim][dim]
    let ffnNorm: UnsafePointer<Float>   // [dim]
    let gate: WeightMatrix              // [ffnDim][dim]
    let up: WeightMatrix                // [ffnDim][dim]
    let down: WeightMatrix              // [dim][ffnDim]
}

/// All weights of a llama model, checked against the config (names per the GGUF spec's
/// llama tensor naming: token_embd, blk.N.attn_q, ..., output_norm, output).
struct LlamaWeights {
    let tokenEmbedding: WeightMatrix    // [vocab][dim]
    let outputNorm: UnsafePointer<Float> // [dim]
    let output: WeightMatrix            // [vocab][dim]; token_embd when output.weight is absent (tied)
    let layers: [LayerWeights]

    init(file: GGUFFile, config c: LlamaConfig) throws {
        let t = TensorLoader(file: file)
        tokenEmbedding = try t.matrix("token_embd.weight", rows: c.vocab, cols: c.dim)
        outputNorm = try t.vector("output_norm.weight", count: c.dim)
        if file.tensor(named: "output.weight") != nil {
            output = try t.matrix("output.weight", rows: c.vocab, cols: c.dim)
        } else {
            output = tokenEmbedding
        }
        layers = try (0..<c.layers).map { i in
            let p = "blk.\(i)."
            return LayerWeights(
                attnNorm: try t.vector(p + "attn_norm.weight", count: c.dim),
                wq: try t.matrix(p + "attn_q.weight", rows: c.dim, cols: c.dim),
                wk: try t.matrix(p + "attn_k.weight", rows: c.kvDim, cols: c.dim),
                wv: try t.matrix(p + "attn_v.weight", rows: c.kvDim, cols: c.dim),
                wo: try t.matrix(p + "attn_output.weight", rows: c.dim, cols: c.dim),
                ffnNorm: try t.vector(p + "ffn_norm.weight", count: c.dim),
                gate: try t.matrix(p + "ffn_gate.weight", rows: c.ffnDim, cols: c.dim),
                up: try t.matrix(p + "ffn_up.weight", rows: c.ffnDim, cols: c.dim),
                down: try t.matrix(p + "ffn_down.weight", rows: c.dim, cols: c.ffnDim))
        }
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
            throw LlamaError.unsupportedTensorType(name: name, type: "\(i.type)")
        }
        return WeightMatrix(format: format, rows: rows, cols: cols, data: file.data(of: i))
    }

    func vector(_ name: String, count: Int) throws -> UnsafePointer<Float> {
        let i = try info(name, dims: [count])
        guard i.type == .f32 else { throw LlamaError.unsupportedTensorType(name: name, type: "\(i.type) (norm weights must be f32)") }
        return file.data(of: i).assumingMemoryBound(to: Float.self)
    }
}
