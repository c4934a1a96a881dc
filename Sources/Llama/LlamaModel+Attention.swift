import Foundation
import Kernels

extension LlamaModel {
    /// x += Wo · attention(norm(x)) for n tokens at positions start..<start+n. K and V of the
    /// new tokens are written straight into cache rows start..<start+n (RoPE applied to K).
    func attentionBlock(layer l: Int, n: Int, cache: KVCache, start: Int) {
        let s = scratch, w = weights.layers[l], c = config
        let kNew = cache.keyRow(layer: l, position: start)    // [n][kvDim]
        let vNew = cache.valueRow(layer: l, position: start)  // [n][kvDim]
        rmsNormRows(s.x, weight: w.attnNorm, n: n, out: s.xb)
        project(w.wq, s.xb, n: n, s.q)
        project(w.wk, s.xb, n: n, kNew)
        project(w.wv, s.xb, n: n, vNew)
        let half = c.headDim / 2
        for i in 0..<n {
            let cos = UnsafePointer(s.ropeCos + i * half), sin = UnsafePointer(s.ropeSin + i * half)
            Kernels.rope(s.q + i * c.dim, heads: c.heads, headDim: c.headDim, cos: cos, sin: sin)
            Kernels.rope(kNew + i * c.kvDim, heads: c.kvHeads, headDim: c.headDim, cos: cos, sin: sin)
        }
        let keys = UnsafePointer(cache.keyRow(layer: l, position: 0))
        let values = UnsafePointer(cache.valueRow(layer: l, position: 0))
        attendRows(n, keys: { _ in keys }, values: { _ in values }, length: { start + $0 + 1 })
        project(w.wo, s.attn, n: n, s.proj)
        Kernels.axpy(1, s.proj, s.x, n: n * c.dim)
    }

    /// Attention for n query rows in scratch.q into scratch.attn; row i reads cache rows
    /// 0..<length(i) from keys(i) / values(i).
    func attendRows(_ n: Int, keys: (Int) -> UnsafePointer<Float>, values: (Int) -> UnsafePointer<Float>,
                    length: (Int) -> Int) {
        let s = scratch, c = config
        let units = n * c.kvHeads
        let workers = min(threads, units)
        let group = c.heads / c.kvHeads
        // Work unit u = (row u / kvHeads, KV head u % kvHeads) with its `group` query heads,
        // so each cached K/V row is read once per group, not once per query head.
        // Worker t takes u = t, t+workers, ...: interleaving balances the causal triangle
        // (and, in a batch, sequences of different lengths).
        pool.parallelFor(workers) { t in
            var u = t
            while u < units {
                let i = u / c.kvHeads
                attendGroup(row: i, kvHead: u % c.kvHeads, length: length(i), keys: keys(i), values: values(i),
                            scores: s.scores + t * group * s.contextLength)
                u += workers
            }
        }
    }

    /// Query heads kvHead*group ..< (kvHead+1)*group of scratch row i over cache positions
    /// 0..<len (len = its position + 1: the causal mask offset by the cache length);
    /// grouped-query attention. Positions go in blocks small enough that a block of K (or V)
    /// rows stays in L1 while every head of the group uses it.
    /// scores: [group][contextLength] scratch of this worker.
    func attendGroup(row i: Int, kvHead g: Int, length len: Int, keys: UnsafePointer<Float>,
                     values: UnsafePointer<Float>, scores: UnsafeMutablePointer<Float>) {
        let c = config, hd = c.headDim, group = c.heads / c.kvHeads, ctx = scratch.contextLength
        let scale = 1 / Float(hd).squareRoot()
        let k = keys + g * hd, v = values + g * hd
        let block = 64
        for p0 in stride(from: 0, to: len, by: block) {
            let m = min(block, len - p0)
            for j in 0..<group {
                let q = UnsafePointer(scratch.q + i * c.dim + (g * group + j) * hd)
                AttentionMath.scores(q: q, keys: k + p0 * c.kvDim, stride: c.kvDim, hd: hd, len: m, scale: scale,
                                     into: scores + j * ctx + p0)
            }
        }
        for j in 0..<group {
            Kernels.softmax(scores + j * ctx, n: len)
            (scratch.attn + i * c.dim + (g * group + j) * hd).update(repeating: 0, count: hd)
        }
        for p0 in stride(from: 0, to: len, by: block) {
            let m = min(block, len - p0)
            for j in 0..<group {
                AttentionMath.weightedSum(weights: scores + j * ctx + p0, values: v + p0 * c.kvDim, stride: c.kvDim,
                                          hd: hd, len: m, into: scratch.attn + i * c.dim + (g * group + j) * hd)
            }
        }
    }
}
