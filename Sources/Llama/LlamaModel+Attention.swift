import Foundation
import Kernels

extension LlamaModel {
    /// x += Wo · attention(norm(x)) for n tokens at positions start..<start+n. K (RoPE applied)
    /// and V of the new tokens go to cache rows start..<start+n in the cache's type before
    /// attention reads them, so every query sees the same stored values, whether it came in a
    /// prefill chunk or alone.
    func attentionBlock(layer l: Int, n: Int, cache: KVCache, start: Int) {
        let s = scratch
        projectQKV(layer: l, n: n, k: s.k, v: s.v)  // [n][kvDim] each
        cache.store(layer: l, position: start, rows: n, keys: s.k, values: s.v)
        let rows = cache.layerRows(l)
        attendRows(n, layer: l, rows: { _ in rows }, length: { start + $0 + 1 })
        finishAttention(layer: l, n: n)
    }

    /// scratch.q = RoPE(norm(Wq xb + bq)); k, v: [n][kvDim] = RoPE(norm(Wk xb + bk)), Wv xb + bv,
    /// for n rows whose RoPE tables are in scratch rows 0..<n. Bias and per-head norm only
    /// where the architecture has them.
    func projectQKV(layer l: Int, n: Int, k: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>) {
        let s = scratch, w = weights.layers[l], c = config
        rmsNormRows(s.x, weight: w.attnNorm, n: n, out: s.xb)
        projectGroup([w.wq, w.wk, w.wv], s.xb, n: n, [s.q, k, v])
        if let b = w.qBias { BlockMath.addBias(b, to: s.q, n: n, width: c.qDim) }
        if let b = w.kBias { BlockMath.addBias(b, to: k, n: n, width: c.kvDim) }
        if let b = w.vBias { BlockMath.addBias(b, to: v, n: n, width: c.kvDim) }
        if let qn = w.qNorm, let kn = w.kNorm {
            BlockMath.rmsNormEach(s.q, count: n * c.heads, width: c.headDim, weight: qn, eps: c.rmsEps)
            BlockMath.rmsNormEach(k, count: n * c.kvHeads, width: c.headDim, weight: kn, eps: c.rmsEps)
        }
        let half = c.headDim / 2
        let table = layerRopeTable[l] * s.batch * half
        for i in 0..<n {
            let cos = UnsafePointer(s.ropeCos + table + i * half), sin = UnsafePointer(s.ropeSin + table + i * half)
            rotate(s.q + i * c.qDim, heads: c.heads, cos: cos, sin: sin)
            rotate(k + i * c.kvDim, heads: c.kvHeads, cos: cos, sin: sin)
        }
    }

    private func rotate(_ x: UnsafeMutablePointer<Float>, heads: Int, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        switch config.options.ropeStyle {
        case .adjacentPairs: Kernels.rope(x, heads: heads, headDim: config.headDim, cos: cos, sin: sin)
        case .halves: BlockMath.ropeHalves(x, heads: heads, headDim: config.headDim, cos: cos, sin: sin)
        }
    }

    /// x += postNorm(Wo · scratch.attn) for n rows (the norm only where the architecture has it).
    func finishAttention(layer l: Int, n: Int) {
        let s = scratch, w = weights.layers[l]
        project(w.wo, s.attn, n: n, s.proj)
        if let pn = w.postAttnNorm { rmsNormRows(s.proj, weight: pn, n: n, out: s.proj) }
        Kernels.axpy(1, s.proj, s.x, n: n * config.dim)
    }

    /// Attention for n query rows in scratch.q into scratch.attn; row i reads cache rows
    /// 0..<length(i) of rows(i) (its cache's layer l), or only the last `window` of them on a
    /// sliding-window layer (the others are masked out).
    func attendRows(_ n: Int, layer l: Int, rows: (Int) -> KVLayerRows, length: (Int) -> Int) {
        let s = scratch, c = config
        let units = n * c.kvHeads
        let workers = min(threads, units)
        let group = c.heads / c.kvHeads
        let window = c.layerAttention[l].window
        // Work unit u = (row u / kvHeads, KV head u % kvHeads) with its `group` query heads,
        // so each cached K/V row is read once per group, not once per query head.
        // Worker t takes u = t, t+workers, ...: interleaving balances the causal triangle
        // (and, in a batch, sequences of different lengths).
        pool.parallelFor(workers) { t in
            var u = t
            while u < units {
                let i = u / c.kvHeads
                let len = length(i)
                let first = window.map { max(0, len - $0) } ?? 0
                attendGroup(row: i, kvHead: u % c.kvHeads, first: first, length: len - first, rows: rows(i),
                            scores: s.scores + t * group * s.contextLength)
                u += workers
            }
        }
    }

    /// Query heads kvHead*group ..< (kvHead+1)*group of scratch row i over the `len` cache rows
    /// from position `first` (the causal mask offset by the cache length, and the window, are
    /// applied by the caller's choice of rows); grouped-query attention: the group's heads read
    /// each K (V) row together (AttentionMath), so it is decoded once and read from L1 by the
    /// others. scores: [group][contextLength] scratch of this worker.
    func attendGroup(row i: Int, kvHead g: Int, first: Int, length len: Int, rows: KVLayerRows,
                     scores: UnsafeMutablePointer<Float>) {
        let c = config, hd = c.headDim, group = c.heads / c.kvHeads, ctx = scratch.contextLength
        let headOffset = first * rows.rowBytes + rows.offset(elements: g * hd)
        let q = scratch.q + i * c.qDim + g * group * hd
        let out = scratch.attn + i * c.qDim + g * group * hd
        AttentionMath.scores(rows.format, q: q, heads: group, keys: rows.keys + headOffset, rowBytes: rows.rowBytes, hd: hd,
                             len: len, scale: c.attentionScale, into: scores, scoresStride: ctx)
        for j in 0..<group { Kernels.softmax(scores + j * ctx, n: len) }
        out.update(repeating: 0, count: group * hd)
        AttentionMath.weightedSum(rows.format, weights: scores, weightsStride: ctx, heads: group,
                                  values: rows.values + headOffset, rowBytes: rows.rowBytes, hd: hd, len: len, into: out)
    }
}
