/// Speculative decoding with a deterministic draft token d (a guess, not a sample from a
/// draft model). Let p be the distribution `sample` draws from (penalty, top-k, temperature,
/// top-p, min-p applied). Accept d with probability p(d); on rejection draw from p with d
/// removed and renormalized, p(x) / (1 - p(d)) for x != d. Then
/// P(x) = [x = d] p(d) + (1 - p(d)) p(x) / (1 - p(d)) [x != d] = p(x): the output has exactly
/// the sampling distribution (the rule of Leviathan et al. 2023 with a one-point draft
/// distribution). Greedy: accepted iff d is the argmax, so the output is plain greedy's.
extension Sampler {
    /// Whether the draft token is kept at this position. The logits are modified in place
    /// (repetition penalty), as by `sample`. On false the caller draws the replacement with
    /// `sample(logits:history:excluding:)` from the same (unmodified) logits and history.
    public mutating func acceptDraft(_ draft: Int32, logits: inout [Float], history: ArraySlice<Int32>) -> Bool {
        logits.withUnsafeMutableBufferPointer { buffer in
            guard !buffer.isEmpty else { return false }
            applyRepetitionPenalty(buffer, history: history)
            if params.temperature <= 0 { return Self.argmax(buffer) == draft }
            filteredDistribution(buffer)
            var total: Double = 0
            var pDraft: Double = 0
            for (id, p) in zip(ids, probs) {
                total += Double(p)
                if id == draft { pDraft = Double(p) }
            }
            return total > 0 && rng.nextUnit() * total < pDraft
        }
    }

    /// A draw from the sampling distribution with `excluded` removed and renormalized (the
    /// replacement for a rejected draft). Greedy: the argmax (a rejected draft is never it).
    /// If `excluded` was the only candidate it is returned (cannot happen after a rejection).
    public mutating func sample(logits: inout [Float], history: ArraySlice<Int32>, excluding excluded: Int32) -> Int32 {
        logits.withUnsafeMutableBufferPointer { buffer in
            guard !buffer.isEmpty else { return 0 }
            applyRepetitionPenalty(buffer, history: history)
            if params.temperature <= 0 { return Self.argmax(buffer) }
            filteredDistribution(buffer)
            guard let at = ids.firstIndex(of: excluded), ids.count > 1 else { return draw() }
            ids.remove(at: at)
            probs.remove(at: at)
            return draw()
        }
    }
}
