import Foundation
import Kernels

extension LlamaModel {
    /// One decode step for B independent sequences: token i runs at position caches[i].count
    /// on caches[i], which grows by one. Returns the logits of each row, `[B][vocab]`. The
    /// one-token-each case of `forwardBatch(sequences:caches:wantLogits:)`.
    public func forwardBatch(_ tokens: [Int32], caches: inout [KVCache]) throws -> [[Float]] {
        guard !tokens.isEmpty else { throw LlamaError.emptyInput }
        return try forwardBatch(sequences: tokens.map { [$0] }, caches: &caches)
    }

    /// A ragged batch: sequence i contributes `sequences[i]` (one token when decoding, a chunk
    /// of its prompt when prefilling) at positions caches[i].count..., and caches[i] grows by
    /// that many rows. All rows go through the projections, FFN and output head as one matmul
    /// (the weights are read once per step for every sequence); attention runs per row against
    /// its own cache, with the causal mask offset by that cache's length. Returns, per
    /// sequence, the logits `[vocab]` of its last new token, or `[]` where `wantLogits[i]` is
    /// false (a prompt chunk that is not the prompt's end needs no output head). Equal to one
    /// `forward(sequences[i], cache: &caches[i])` per sequence. Validates everything before
    /// touching any cache, so on a throw every cache is unchanged.
    public func forwardBatch(sequences: [[Int32]], caches: inout [KVCache], wantLogits: [Bool]? = nil) throws -> [[Float]] {
        try checkBatch(sequences, caches: caches, wantLogits: wantLogits)
        lock.lock()
        defer { lock.unlock() }
        for i in caches.indices { caches[i].prepareAppend(sequences[i].count) }
        var out = [[Float]](repeating: [], count: sequences.count)
        // Rows are packed into chunks of at most scratch.batch; a long sequence may span
        // several chunks (its rows stay in order, and each chunk commits before the next).
        var chunk: [BatchPiece] = []
        var rows = 0
        for (i, tokens) in sequences.enumerated() {
            var start = 0
            while start < tokens.count {
                let m = min(tokens.count - start, scratch.batch - rows)
                chunk.append(BatchPiece(sequence: i, start: start, count: m,
                                        wantsLogits: start + m == tokens.count && (wantLogits?[i] ?? true)))
                rows += m
                start += m
                if rows == scratch.batch {
                    runPieces(chunk, sequences: sequences, caches: &caches, out: &out)
                    chunk.removeAll(keepingCapacity: true)
                    rows = 0
                }
            }
        }
        if !chunk.isEmpty { runPieces(chunk, sequences: sequences, caches: &caches, out: &out) }
        return out
    }

    private func checkBatch(_ sequences: [[Int32]], caches: [KVCache], wantLogits: [Bool]?) throws {
        guard !sequences.isEmpty else { throw LlamaError.emptyInput }
        guard sequences.count == caches.count, wantLogits.map({ $0.count == caches.count }) ?? true else {
            throw LlamaError.cacheMismatch("forwardBatch got \(sequences.count) sequences but \(caches.count) caches")
        }
        for (i, (tokens, cache)) in zip(sequences, caches).enumerated() {
            guard !tokens.isEmpty else { throw LlamaError.emptyInput }
            guard cache.layers == config.layers, cache.rowWidth == config.kvDim else {
                throw LlamaError.cacheMismatch(
                    "cache \(i) has \(cache.layers) layers x row \(cache.rowWidth), model \(config.layers) x \(config.kvDim)")
            }
            try checkCacheType(cache.type)
            guard cache.count + tokens.count <= config.contextLength else {
                throw LlamaError.contextOverflow(start: cache.count, tokens: tokens.count, limit: config.contextLength)
            }
            for t in tokens where t < 0 || Int(t) >= config.vocab {
                throw LlamaError.tokenOutOfRange(token: t, position: i, vocab: config.vocab)
            }
        }
    }

    /// Runs one chunk of pieces (rows in piece order), commits their rows to the caches and
    /// stores the logits the pieces ask for.
    private func runPieces(_ pieces: [BatchPiece], sequences: [[Int32]], caches: inout [KVCache], out: inout [[Float]]) {
        var row = 0
        var rowPiece: [Int] = []   // [rows] index of the row's piece
        var rowLength: [Int] = []  // [rows] cache rows the row attends to (causal: up to itself)
        var lastRows: [Int] = []   // rows whose logits are wanted, one per piece that wants them
        for (p, piece) in pieces.enumerated() {
            let start = caches[piece.sequence].count
            for j in 0..<piece.count {
                embed(sequences[piece.sequence][piece.start + j], row: row, position: start + j)
                rowPiece.append(p)
                rowLength.append(start + j + 1)
                row += 1
            }
            if piece.wantsLogits { lastRows.append(row - 1) }
        }
        let chunkCaches = pieces.map { caches[$0.sequence] }
        for l in 0..<config.layers {
            attentionBlockRagged(layer: l, pieces: pieces, caches: chunkCaches, rowPiece: rowPiece, rowLength: rowLength)
            feedForwardBlock(layer: l, n: row)
        }
        for piece in pieces { caches[piece.sequence].commitAppend(piece.count) }
        guard !lastRows.isEmpty else { return }
        let vocab = config.vocab
        var flat = [Float](repeating: 0, count: lastRows.count * vocab)  // [lastRows][vocab]
        flat.withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            computeLogits(selected: lastRows, into: base)
        }
        var k = 0
        for piece in pieces where piece.wantsLogits {
            out[piece.sequence] = Array(flat[(k * vocab)..<((k + 1) * vocab)])
            k += 1
        }
    }

    /// x += Wo · attention(norm(x)) for the chunk's rows: Q/K/V as one matmul each, then each
    /// piece's K (after RoPE) and V rows copied to its cache after the rows it holds, then
    /// attention of every row over its own cache up to its own position.
    private func attentionBlockRagged(layer l: Int, pieces: [BatchPiece], caches: [KVCache], rowPiece: [Int],
                                      rowLength: [Int]) {
        let s = scratch, c = config, n = rowPiece.count
        projectQKV(layer: l, n: n, k: s.k, v: s.v)  // [n][kvDim] each
        var row = 0
        for (piece, cache) in zip(pieces, caches) {
            cache.store(layer: l, position: cache.count, rows: piece.count, keys: s.k + row * c.kvDim,
                        values: s.v + row * c.kvDim)
            row += piece.count
        }
        let rows = caches.map { $0.layerRows(l) }
        attendRows(n, layer: l, rows: { rows[rowPiece[$0]] }, length: { rowLength[$0] })
        finishAttention(layer: l, n: n)
    }

    /// Final norm and output head for the given rows of scratch.x; writes `[rows.count][vocab]`.
    private func computeLogits(selected rows: [Int], into out: UnsafeMutablePointer<Float>) {
        let s = scratch, dim = config.dim
        for (k, r) in rows.enumerated() {
            Kernels.rmsNorm(s.x + r * dim, weight: weights.outputNorm, n: dim, eps: config.rmsEps, out: s.xb + k * dim)
        }
        project(weights.output, s.xb, n: rows.count, out)
    }
}

/// Rows `start..<start+count` of one sequence's new tokens inside a forward chunk.
private struct BatchPiece {
    let sequence: Int
    let start: Int
    let count: Int
    /// The piece ends its sequence's new tokens and the caller wants that row's logits.
    let wantsLogits: Bool
}
