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
        let units = n * c.heads
        let workers = min(threads, units)
        // Work unit u = (token u / heads, head u % heads); worker t takes u = t, t+workers, ...
        // Interleaving balances the causal triangle (later tokens attend to more positions).
        pool.parallelFor(workers) { t in
            var u = t
            while u < units {
                attendOne(token: u / c.heads, head: u % c.heads, start: start, keys: keys, values: values,
                          scores: s.scores + t * s.contextLength)
                u += workers
            }
        }
        project(w.wo, s.attn, n: n, s.proj)
        Kernels.axpy(1, s.proj, s.x, n: n * c.dim)
    }

    /// One query head of one new token over cache positions 0...start+token (causal mask
    /// offset by the cache length). Grouped-query: query head h reads KV head h / (heads/kvHeads).
    /// scores: [contextLength] scratch of this worker.
    private func attendOne(token i: Int, head h: Int, start: Int, keys: UnsafePointer<Float>,
                           values: UnsafePointer<Float>, scores: UnsafeMutablePointer<Float>) {
        let c = config, hd = c.headDim
        let kvOffset = (h / (c.heads / c.kvHeads)) * hd
        let q = UnsafePointer(scratch.q + i * c.dim + h * hd)
        let out = scratch.attn + i * c.dim + h * hd
        let len = start + i + 1
        let scale = 1 / Float(hd).squareRoot()
        AttentionMath.scores(q: q, keys: keys + kvOffset, stride: c.kvDim, hd: hd, len: len, scale: scale, into: scores)
        Kernels.softmax(scores, n: len)
        AttentionMath.weightedSum(weights: scores, values: values + kvOffset, stride: c.kvDim, hd: hd, len: len, into: out)
    }
}
