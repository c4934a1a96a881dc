/// Activation buffers for one forward chunk of up to `batch` tokens (f32, row-major).
/// Owned by the model and reused across calls; only one forward runs at a time.
final class LlamaScratch {
    let batch: Int
    let x: UnsafeMutablePointer<Float>       // [batch][dim] residual stream
    let xb: UnsafeMutablePointer<Float>      // [batch][dim] normed input of a sub-layer
    let q: UnsafeMutablePointer<Float>       // [batch][qDim] queries (heads x headDim), RoPE applied
    let attn: UnsafeMutablePointer<Float>    // [batch][qDim] attention output before attn_output
    let k: UnsafeMutablePointer<Float>       // [batch][kvDim] new keys of a batch of sequences, before they go to their caches
    let v: UnsafeMutablePointer<Float>       // [batch][kvDim] new values, likewise
    let proj: UnsafeMutablePointer<Float>    // [batch][dim] output of attn_output / ffn_down
    let gate: UnsafeMutablePointer<Float>    // [batch][ffnDim] ffn_gate, then act(gate) * up
    let up: UnsafeMutablePointer<Float>      // [batch][ffnDim] ffn_up
    let scores: UnsafeMutablePointer<Float>  // [workers][heads/kvHeads][contextLength] attention weights per worker
    let ropeCos: UnsafeMutablePointer<Float> // [ropeBases][batch][headDim/2] RoPE table of each chunk position, per base
    let ropeSin: UnsafeMutablePointer<Float> // [ropeBases][batch][headDim/2]
    let workers: Int
    let contextLength: Int
    private let all: [UnsafeMutablePointer<Float>]

    init(config c: LlamaConfig, batch: Int, workers: Int) {
        self.batch = batch
        self.workers = workers
        self.contextLength = c.contextLength
        func make(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: 0, count: max(n, 1))
            return p
        }
        x = make(batch * c.dim)
        xb = make(batch * c.dim)
        q = make(batch * c.qDim)
        attn = make(batch * c.qDim)
        k = make(batch * c.kvDim)
        v = make(batch * c.kvDim)
        proj = make(batch * c.dim)
        gate = make(batch * c.ffnDim)
        up = make(batch * c.ffnDim)
        scores = make(workers * (c.heads / c.kvHeads) * c.contextLength)
        ropeCos = make(c.ropeBases.count * batch * c.headDim / 2)
        ropeSin = make(c.ropeBases.count * batch * c.headDim / 2)
        all = [x, xb, q, attn, k, v, proj, gate, up, scores, ropeCos, ropeSin]
    }

    deinit {
        for p in all { p.deallocate() }
    }
}
