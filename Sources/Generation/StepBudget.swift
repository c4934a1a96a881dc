/// How many prompt tokens the next model step takes beside its decode rows: a pure decision,
/// tested with chosen costs instead of timings.
///
/// While streams decode, each step is one token of theirs, so the step's time is their gap
/// between tokens: the prompt chunk is sized so the predicted step time (`StepCost`) stays
/// under `targetMs`. A step's cost depends on the model and the machine (64 prompt tokens of a
/// 0.5B model take several hundred ms on 2 cores), which a fixed token count ignores. With
/// nobody decoding there is no gap to protect: prompts take `maxTokens` per step, big chunks
/// for throughput.
struct StepBudget {
    /// Step time to aim at while streams decode; <= 0 uses the fixed token budget alone.
    let targetMs: Double
    /// Most prompt tokens in one step (`batchTokenBudget`).
    let maxTokens: Int

    /// Prompt tokens per step while decoding with the fixed budget, or before any step was
    /// timed (the first steps measure the cost).
    var probeTokens: Int { max(maxTokens / 4, 1) }
    /// Prompts always progress, however many streams decode (no starvation).
    var minTokens: Int { max(maxTokens / 16, 1) }
    /// Fresh prompts first in line, this many tokens together, are prefilled whole even past the
    /// step's budget: a short request's first token should not wait several steps (first-token
    /// priority), and many streams starting at once join the batch within a few steps.
    var wholePrompt: Int { targetMs > 0 ? maxTokens / 2 : 0 }

    /// Prompt tokens for a step with `decoding` decode rows of `decodeWork` (plus verifying
    /// forwards predicted at `otherMs`), when the deepest waiting prompt continues at cache
    /// position `deepest`.
    func promptTokens(decoding: Int, decodeWork: Double, otherMs: Double = 0, deepest: Int, cost: StepCost,
                      work: StepWork) -> Int {
        guard decoding > 0, maxTokens > 0 else { return max(maxTokens, 1) }
        guard targetMs > 0 else { return max(maxTokens - decoding, probeTokens) }
        guard let line = cost.line else { return probeTokens }
        func fits(_ t: Int) -> Bool {
            let w = decodeWork + work.rows(t, at: deepest, logits: 0)
            return line.fixed + line.perWork * w + otherMs <= targetMs
        }
        // Largest t in [0, maxTokens] that fits (step time grows with t).
        var low = 0, high = maxTokens
        while low < high {
            let mid = (low + high + 1) / 2
            if fits(mid) { low = mid } else { high = mid - 1 }
        }
        return max(low, minTokens)
    }
}
