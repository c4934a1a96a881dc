import Foundation
import GGUF
import Kernels

/// A decoder-only transformer running from a GGUF file's quantized weights: llama and the
/// architectures described over the same block (Architecture+*.swift: qwen2, gemma3).
///
/// Weights are immutable views into the file mapping (the model keeps `file` alive).
/// Scratch buffers belong to the model, so one forward runs at a time: a lock serializes
/// concurrent callers (the engine's single model worker is the intended user). All
/// conversation state lives in the caller's `KVCache`.
// @unchecked: weights are immutable; the scratch buffers are used under the forward lock.
public final class LlamaModel: @unchecked Sendable {
    public let config: LlamaConfig
    public let file: GGUFFile
    let weights: LlamaWeights
    let pool: ThreadPool
    let threads: Int
    let scratch: LlamaScratch
    let lock = NSLock()
    /// config.ropeBases, computed once; per layer, which of them (and of scratch's RoPE tables) it uses.
    let ropeBases: [Float]
    let layerRopeTable: [Int]
    /// While true (set under `lock` by `forward`), products of several rows give each row
    /// exactly what a one-row product gives (LlamaModel+Verify.swift).
    var rowExact = false

    /// Prompts longer than this are run in chunks of this many tokens (bounds scratch memory;
    /// each token's maths is the same either way).
    public static let maxBatch = 512

    public convenience init(path: String, threads: Int) throws {
        try self.init(file: GGUFFile(path: path), threads: threads)
    }

    public init(file: GGUFFile, threads: Int) throws {
        let config = try LlamaConfig(file: file)
        self.config = config
        self.file = file
        self.weights = try LlamaWeights(file: file, config: config)
        self.threads = max(1, threads)
        self.pool = ThreadPool(threads: self.threads)
        let batch = min(Self.maxBatch, config.contextLength)
        self.scratch = LlamaScratch(config: config, batch: batch, workers: self.threads)
        let bases = config.ropeBases
        self.ropeBases = bases
        self.layerRopeTable = config.layerAttention.map { a in bases.firstIndex(of: a.ropeBase) ?? 0 }
    }

    /// An empty cache for this model. `type` must suit the model (`checkCacheType`); forward
    /// refuses a cache that does not.
    public func makeCache(type: KVCacheType = .f16, reserve: Int = 0) -> KVCache {
        KVCache(layers: config.layers, rowWidth: config.kvDim, maxTokens: config.contextLength, type: type, reserve: reserve)
    }

    /// Throws `cacheMismatch` naming the reason when caches of `type` cannot run on this model.
    public func checkCacheType(_ type: KVCacheType) throws {
        if let why = type.unsupportedReason(headDim: config.headDim) { throw LlamaError.cacheMismatch(why) }
    }

    /// Runs `tokens` at positions cache.count..<cache.count+tokens.count, appending their K/V
    /// to `cache`. Returns the logits of the last position `[vocab]`, or of every new
    /// position `[tokens.count][vocab]` when `allLogits`.
    public func forward(_ tokens: [Int32], cache: inout KVCache, allLogits: Bool = false,
                        rowExact: Bool = false) throws -> [Float] {
        try check(tokens, cache: cache)
        lock.lock()
        self.rowExact = rowExact
        defer {
            self.rowExact = false
            lock.unlock()
        }
        let vocab = config.vocab
        var logits = [Float](repeating: 0, count: (allLogits ? tokens.count : 1) * vocab)
        cache.prepareAppend(tokens.count)
        var done = 0
        while done < tokens.count {
            let n = min(scratch.batch, tokens.count - done)
            let chunk = Array(tokens[done..<done + n])
            runChunk(chunk, cache: cache, start: cache.count)
            cache.commitAppend(n)
            logits.withUnsafeMutableBufferPointer { out in
                guard let base = out.baseAddress else { return }
                if allLogits {
                    computeLogits(rows: 0..<n, into: base + done * vocab)
                } else if done + n == tokens.count {
                    computeLogits(rows: (n - 1)..<n, into: base)
                }
            }
            done += n
        }
        return logits
    }

    private func check(_ tokens: [Int32], cache: KVCache) throws {
        guard !tokens.isEmpty else { throw LlamaError.emptyInput }
        guard cache.layers == config.layers, cache.rowWidth == config.kvDim else {
            throw LlamaError.cacheMismatch("cache has \(cache.layers) layers x row \(cache.rowWidth), model \(config.layers) x \(config.kvDim)")
        }
        try checkCacheType(cache.type)
        guard cache.count + tokens.count <= config.contextLength else {
            throw LlamaError.contextOverflow(start: cache.count, tokens: tokens.count, limit: config.contextLength)
        }
        for (i, t) in tokens.enumerated() where t < 0 || Int(t) >= config.vocab {
            throw LlamaError.tokenOutOfRange(token: t, position: i, vocab: config.vocab)
        }
    }

    /// Embeds and runs all layers for one chunk; leaves the final hidden states in scratch.x.
    private func runChunk(_ tokens: [Int32], cache: KVCache, start: Int) {
        for (i, t) in tokens.enumerated() {
            embed(t, row: i, position: start + i)
        }
        for l in 0..<config.layers {
            attentionBlock(layer: l, n: tokens.count, cache: cache, start: start)
            feedForwardBlock(layer: l, n: tokens.count)
        }
    }

    /// scratch.x row `row` = the token's (scaled) embedding, and that row's RoPE tables for
    /// `position`: one per RoPE base, shared by all layers' Q and K.
    func embed(_ token: Int32, row i: Int, position: Int) {
        let s = scratch, dim = config.dim, half = config.headDim / 2
        Kernels.dequantizeRow(weights.tokenEmbedding, row: Int(token), into: s.x + i * dim)
        let scale = config.options.embeddingScale
        if scale != 1 {
            for j in 0..<dim { s.x[i * dim + j] *= scale }
        }
        for (b, base) in ropeBases.enumerated() {
            let offset = (b * s.batch + i) * half
            Kernels.ropeTable(position: position, headDim: config.headDim, freqBase: base,
                              cos: s.ropeCos + offset, sin: s.ropeSin + offset)
        }
    }

    /// y[n][rows] = x[n][cols] W^T, with the matvec path for a single row.
    func project(_ w: WeightMatrix, _ x: UnsafePointer<Float>, n: Int, _ y: UnsafeMutablePointer<Float>) {
        if n == 1 {
            Kernels.matvec(w, x, y, pool: pool)
        } else if rowExact && Self.sumsOrderDependsOnRows(w.format) {
            projectRowExact(w, x, n: n, y)
        } else {
            Kernels.matmul(w, x, n: n, y, pool: pool)
        }
    }

    /// ys[i] = x ws[i]^T for matrices of the same input width: one parallel job over one
    /// quantized copy of x (one thread hand-off per group, not one per matrix), unless a
    /// row-exact product needs them one at a time.
    func projectGroup(_ ws: [WeightMatrix], _ x: UnsafePointer<Float>, n: Int, _ ys: [UnsafeMutablePointer<Float>]) {
        if n > 1 && rowExact && ws.contains(where: { Self.sumsOrderDependsOnRows($0.format) }) {
            for (w, y) in zip(ws, ys) { projectRowExact(w, x, n: n, y) }
        } else {
            Kernels.matmul(ws, x, n: n, ys, pool: pool)
        }
    }

    func rmsNormRows(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, n: Int, out: UnsafeMutablePointer<Float>) {
        let dim = config.dim
        for i in 0..<n {
            Kernels.rmsNorm(x + i * dim, weight: weight, n: dim, eps: config.rmsEps, out: out + i * dim)
        }
    }

    func feedForwardBlock(layer l: Int, n: Int) {
        let s = scratch, w = weights.layers[l], dim = config.dim
        rmsNormRows(s.x, weight: w.ffnNorm, n: n, out: s.xb)
        projectGroup([w.gate, w.up], s.xb, n: n, [s.gate, s.up])
        activateRows(n: n)
        project(w.down, s.gate, n: n, s.proj)
        if let pn = w.postFFNNorm { rmsNormRows(s.proj, weight: pn, n: n, out: s.proj) }
        Kernels.axpy(1, s.proj, s.x, n: n * dim)
    }

    /// gate = act(gate) * up for n rows, across the pool in jobs of whole rows (~64K values
    /// each) when there are several: run on one thread it was 6% of a prefill's wall time.
    func activateRows(n: Int) {
        let s = scratch, ffn = config.ffnDim, activation = config.options.activation
        let rowsPerJob = max(1, (64 << 10) / ffn)
        // One job (decode) runs on the calling thread: parallelFor does not hand it out.
        pool.parallelFor((n + rowsPerJob - 1) / rowsPerJob) { job in
            let first = job * rowsPerJob, count = min(rowsPerJob, n - first) * ffn
            switch activation {
            case .silu: Kernels.swiglu(gate: s.gate + first * ffn, up: s.up + first * ffn, n: count)
            case .geluTanh: Kernels.gegluTanh(gate: s.gate + first * ffn, up: s.up + first * ffn, n: count)
            }
        }
    }

    /// Final norm and output head for chunk rows `rows`; writes `[rows.count][vocab]`.
    func computeLogits(rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let s = scratch, dim = config.dim
        let first = s.x + rows.lowerBound * dim
        rmsNormRows(first, weight: weights.outputNorm, n: rows.count, out: s.xb)
        project(weights.output, s.xb, n: rows.count, out)
    }
}
