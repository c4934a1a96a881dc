import Foundation
import Kernels

/// Decode attention (one new token) split over positions as well as KV heads, so both
/// threads get equal work while each cached K/V row is still read once per head group:
/// every part computes an unnormalized softmax over its positions (max, sum of exps,
/// exp-weighted sum of V), and the parts are merged exactly afterwards (the rescaling used
/// by FlashAttention / flash-decoding).
extension LlamaModel {
    func attendDecode(start: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>) {
        let c = config, s = scratch, d = scratch.decode
        let len = start + 1, parts = d.parts
        pool.parallelFor(c.kvHeads * parts) { u in
            let part = u % parts
            let lo = len * part / parts, hi = len * (part + 1) / parts
            attendPart(kvHead: u / parts, part: part, positions: lo..<hi, keys: keys, values: values)
        }
        for h in 0..<c.heads {
            var m = -Float.infinity
            for p in 0..<parts where d.sum[p * c.heads + h] > 0 { m = max(m, d.max[p * c.heads + h]) }
            var total: Float = 0
            let out = s.attn + h * c.headDim
            out.update(repeating: 0, count: c.headDim)
            for p in 0..<parts where d.sum[p * c.heads + h] > 0 {
                let w = expf(d.max[p * c.heads + h] - m)
                total += w * d.sum[p * c.heads + h]
                Kernels.axpy(w, d.out + (p * c.heads + h) * c.headDim, out, n: c.headDim)
            }
            for i in 0..<c.headDim { out[i] /= total }
        }
    }

    /// Heads of KV group `g` over `positions`: writes max, sum of exps and the exp-weighted
    /// V sum of each head into the part's slots of scratch.decode.
    private func attendPart(kvHead g: Int, part: Int, positions: Range<Int>, keys: UnsafePointer<Float>,
                            values: UnsafePointer<Float>) {
        let c = config, hd = c.headDim, group = c.heads / c.kvHeads, d = scratch.decode, ctx = scratch.contextLength
        let scale = 1 / Float(hd).squareRoot()
        let heads = (g * group)..<((g + 1) * group)
        for h in heads {
            let slot = part * c.heads + h
            d.sum[slot] = 0
            (d.out + slot * hd).update(repeating: 0, count: hd)
        }
        guard !positions.isEmpty else { return }
        let block = 64
        for p0 in stride(from: positions.lowerBound, to: positions.upperBound, by: block) {
            let m = min(block, positions.upperBound - p0)
            for h in heads {
                AttentionMath.scores(q: scratch.q + h * hd, keys: keys + p0 * c.kvDim + g * hd, stride: c.kvDim, hd: hd,
                                     len: m, scale: scale, into: d.scores + h * ctx + p0)
            }
        }
        for h in heads {
            let sc = d.scores + h * ctx + positions.lowerBound, n = positions.count, slot = part * c.heads + h
            var mx = -Float.infinity
            for i in 0..<n { mx = max(mx, sc[i]) }
            var sum: Float = 0
            for i in 0..<n {
                sc[i] = expf(sc[i] - mx)
                sum += sc[i]
            }
            d.max[slot] = mx
            d.sum[slot] = sum
        }
        for p0 in stride(from: positions.lowerBound, to: positions.upperBound, by: block) {
            let m = min(block, positions.upperBound - p0)
            for h in heads {
                AttentionMath.weightedSum(weights: d.scores + h * ctx + p0, values: values + p0 * c.kvDim + g * hd,
                                          stride: c.kvDim, hd: hd, len: m, into: d.out + (part * c.heads + h) * hd)
            }
        }
    }
}

/// Scratch of `attendDecode`.
final class DecodeScratch {
    let parts: Int
    let scores: UnsafeMutablePointer<Float>  // [heads][contextLength] exp(score - part max), by position
    let out: UnsafeMutablePointer<Float>     // [parts][heads][headDim] exp-weighted V sums
    let max: UnsafeMutablePointer<Float>     // [parts][heads] max score of the part
    let sum: UnsafeMutablePointer<Float>     // [parts][heads] sum of exps of the part (0 = empty part)

    init(config c: LlamaConfig, parts: Int) {
        self.parts = parts
        scores = .allocate(capacity: c.heads * c.contextLength)
        out = .allocate(capacity: parts * c.heads * c.headDim)
        max = .allocate(capacity: parts * c.heads)
        sum = .allocate(capacity: parts * c.heads)
    }

    deinit {
        scores.deallocate()
        out.deallocate()
        max.deallocate()
        sum.deallocate()
    }
}
