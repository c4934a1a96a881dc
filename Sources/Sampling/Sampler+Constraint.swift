/// Sampling under a token constraint (structured output), cheap path first.
///
/// Let q be the distribution `sample` draws from (after penalty, top-k, temperature, top-p,
/// min-p) and A the allowed tokens. The target is q restricted to A and renormalized,
/// q(t) / q(A) for t in A. Draw t from q; if t is in A keep it, else draw again from q
/// restricted to A. Then P(t) = q(t) + (1 - q(A)) q(t) / q(A) = q(t) / q(A): exactly the target,
/// while the allowed set (a trie walk) is only computed when the first draw is refused.
/// If q(A) = 0 (the filters removed every allowed token), the disallowed logits are set to
/// -inf and the whole pipeline runs again among the allowed tokens. Greedy: the argmax is kept
/// if allowed, otherwise the argmax among the allowed tokens.
extension Sampler {
    /// nil when no token is allowed at all.
    public mutating func sample(logits: inout [Float], history: ArraySlice<Int32>,
                                allows: (Int32) -> Bool, allowedTokens: () -> [Int32]) -> Int32? {
        logits.withUnsafeMutableBufferPointer { buffer in
            let first = sample(logits: buffer, history: history)  // applies the penalty in place
            if allows(first) { return first }
            let allowed = allowedTokens().filter { $0 >= 0 && Int($0) < buffer.count }
            guard !allowed.isEmpty else { return nil }
            if params.temperature <= 0 { return Self.argmax(buffer, among: allowed) }
            var mask = [Bool](repeating: false, count: buffer.count)
            for id in allowed { mask[Int(id)] = true }
            // `sample` left its survivors and their probabilities in ids / probs.
            var kept = 0
            var mass: Float = 0
            for i in ids.indices where mask[Int(ids[i])] {
                ids[kept] = ids[i]
                probs[kept] = probs[i]
                mass += probs[i]
                kept += 1
            }
            ids.removeSubrange(kept...)
            probs.removeSubrange(kept...)
            if kept > 0 && mass > 0 { return draw() }
            for i in 0..<buffer.count where !mask[i] { buffer[i] = -.infinity }
            let second = sample(logits: buffer, history: [])  // penalty already applied
            return mask[Int(second)] ? second : Self.argmax(buffer, among: allowed)
        }
    }

    /// The allowed token with the largest logit, lowest id on ties; NaN never wins.
    static func argmax(_ logits: UnsafeMutableBufferPointer<Float>, among allowed: [Int32]) -> Int32 {
        var best = allowed[0]
        var bestValue = -Float.infinity
        for id in allowed {
            let v = logits[Int(id)].isNaN ? -Float.infinity : logits[Int(id)]
            if v > bestValue || (v == bestValue && id < best) {
                best = id
                bestValue = v
            }
        }
        return best
    }
}
