import Foundation
import Kernels

extension LlamaModel {
    /// One decode step for B independent sequences: token i runs at position caches[i].count
    /// on caches[i], which grows by one. The projections, FFN and output head run as one
    /// matmul over the B rows (the weights are read once for all of them, which is what makes
    /// batching nearly free while decode is memory-bound); attention runs per row against its
    /// own cache. Returns the logits of each row, `[B][vocab]`. Equal to B separate
    /// `forward([tokens[i]], cache: &caches[i])` calls. Validates everything before touching
    /// any cache, so on a throw every cache is unchanged.
    public func forwardBatch(_ tokens: [Int32], caches: inout [KVCache]) throws -> [[Float]] {
        try checkBatch(tokens, caches: caches)
        lock.lock()
        defer { lock.unlock() }
        let vocab = config.vocab
        var out: [[Float]] = []
        out.reserveCapacity(tokens.count)
        var done = 0
        while done < tokens.count {
            let rows = done..<min(done + scratch.batch, tokens.count)
            for i in rows { caches[i].prepareAppend(1) }
            runBatch(tokens[rows], caches: caches[rows])
            for i in rows { caches[i].commitAppend(1) }
            // [rows.count][vocab]: the head as one matmul, then split per sequence.
            var flat = [Float](repeating: 0, count: rows.count * vocab)
            flat.withUnsafeMutableBufferPointer { buf in
                guard let base = buf.baseAddress else { return }
                computeLogits(rows: 0..<rows.count, into: base)
            }
            for r in 0..<rows.count { out.append(Array(flat[(r * vocab)..<((r + 1) * vocab)])) }
            done = rows.upperBound
        }
        return out
    }

    private func checkBatch(_ tokens: [Int32], caches: [KVCache]) throws {
        guard !tokens.isEmpty else { throw LlamaError.emptyInput }
        guard tokens.count == caches.count else {
            throw LlamaError.cacheMismatch("forwardBatch got \(tokens.count) tokens but \(caches.count) caches")
        }
        for (i, cache) in caches.enumerated() {
            guard cache.layers == config.layers, cache.rowWidth == config.kvDim else {
                throw LlamaError.cacheMismatch(
                    "cache \(i) has \(cache.layers) layers x row \(cache.rowWidth), model \(config.layers) x \(config.kvDim)")
            }
            try checkCacheType(cache.type)
            guard cache.count + 1 <= config.contextLength else {
                throw LlamaError.contextOverflow(start: cache.count, tokens: 1, limit: config.contextLength)
            }
            let t = tokens[i]
            guard t >= 0, Int(t) < config.vocab else {
                throw LlamaError.tokenOutOfRange(token: t, position: i, vocab: config.vocab)
            }
        }
    }

    /// Embeds row i = tokens[i] at position caches[i].count and runs all layers; leaves the
    /// final hidden states `[B][dim]` in scratch.x. Caches have room for one more row.
    private func runBatch(_ tokens: ArraySlice<Int32>, caches: ArraySlice<KVCache>) {
        for (i, (t, cache)) in zip(tokens, caches).enumerated() {
            embed(t, row: i, position: cache.count)
        }
        for l in 0..<config.layers {
            attentionBlockBatch(layer: l, caches: caches)
            feedForwardBlock(layer: l, n: tokens.count)
        }
    }

    /// x += Wo · attention(norm(x)) for B rows, row i being the next token of caches[i]:
    /// Q/K/V as one matmul each, then K (after RoPE) and V copied to row caches[i].count of
    /// their own cache, then attention of row i over positions 0...caches[i].count.
    private func attentionBlockBatch(layer l: Int, caches: ArraySlice<KVCache>) {
        let s = scratch, c = config, n = caches.count
        projectQKV(layer: l, n: n, k: s.k, v: s.v)  // [n][kvDim] each
        for (i, cache) in caches.enumerated() {
            cache.store(layer: l, position: cache.count, rows: 1, keys: s.k + i * c.kvDim, values: s.v + i * c.kvDim)
        }
        let rows = caches.map { $0.layerRows(l) }
        let lengths = caches.map { $0.count + 1 }
        attendRows(n, layer: l, rows: { rows[$0] }, length: { lengths[$0] })
        finishAttention(layer: l, n: n)
    }
}
