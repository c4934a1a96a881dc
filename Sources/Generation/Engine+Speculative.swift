import Llama
import Sampling

/// Speculative decoding without a draft model. After a slot's next token t is chosen, the
/// drafter guesses d1..dk from the conversation's own tokens; one forward over [t, d1..dk]
/// on the slot's cache gives the logits after every one of them. Draft d_j is then judged
/// against the logits after d_(j-1) by the slot's own sampler (same penalties, filters and
/// history as plain decoding would use at that position); accepted tokens go through the same
/// `take` as sampled ones (EOS, stop strings, max tokens), the first rejection ends the run,
/// and the cache is cut back to the tokens kept. So the cache always holds prompt + generated,
/// as after plain decoding, and the next step starts from the logits of the last kept token.
///
/// While other streams run, each drafting slot verifies in its own forward (the rest share the
/// batched forward). With a ragged batched forward (rows of several tokens per sequence, all
/// logits), `[t, d1..dk]` would simply be that sequence's rows and `verify` would read them.
extension Engine {
    struct SpeculativeRun {
        let slot: DecodeSlot
        /// The token chosen this step, not yet in the cache.
        let token: Int32
        let drafts: [Int32]
    }

    /// Per-slot verification costs a forward of its own, which only pays while few streams
    /// share the step (with many, the batched forward already reads the weights once for all).
    func speculationAllowed(decoding: Int) -> Bool {
        decoding <= SpeculationState.maxStreams
    }

    /// The drafts to verify after `token`, or nil to decode it plainly.
    func speculativeRun(_ slot: DecodeSlot, _ token: Int32) -> SpeculativeRun? {
        if slot.speculation == nil {
            let request = slot.job.request
            // A JSON-schema constraint advances its automaton per token: drafts would need it
            // checked and rewound, so constrained requests decode plainly. A seeded sampling run
            // must give the same tokens alone or in a batch, but judging drafts draws from the
            // generator, and whether a stream speculates depends on the batch: seeded sampling
            // decodes plainly too (greedy and unseeded sampling speculate).
            let sampling = request.sampling
            let seededSampling = sampling.temperature > 0 && sampling.seed != nil
            let on = (request.speculative ?? config.speculative) == .ngram && request.constraint == nil && !seededSampling
            slot.speculation = SpeculationState(enabled: on)
        }
        guard slot.finishAfterForward == nil, var state = slot.speculation, state.enabled else { return nil }
        defer { slot.speculation = state }
        let room = slot.job.request.maxTokens - slot.outcome.generated.count
        let drafts = state.draft(slot.history, room: room)
        return drafts.isEmpty ? nil : SpeculativeRun(slot: slot, token: token, drafts: drafts)
    }

    /// Runs [token] + drafts on the slot's cache and keeps the accepted prefix.
    func verify(_ run: SpeculativeRun) {
        let slot = run.slot
        guard var cache = slot.cache else { return fail(slot, GenerationError.internalError("decode without a cache")) }
        slot.cache = nil
        defer { slot.cache = cache }
        let rows: [Float]
        do {
            // Greedy must equal plain decoding exactly; sampling only needs the distribution.
            let exact = slot.sampler.params.temperature <= 0
            rows = try model.forward([run.token] + run.drafts, cache: &cache, allLogits: true, rowExact: exact)
        } catch {
            // forward validates before writing, so the cache is unchanged: decode plainly.
            do { slot.logits = try model.forward([run.token], cache: &cache) } catch { fail(slot, error) }
            return
        }
        let accepted = judge(run, rows: rows)
        slot.speculation?.record(drafted: run.drafts.count, accepted: accepted)
        slot.outcome.drafted += run.drafts.count
        slot.outcome.accepted += accepted
        // Keep exactly what plain decoding would have run: prompt + generated (an accepted
        // EOS ends the run without entering either).
        cache.truncate(to: slot.prompt.count + slot.outcome.generated.count)
    }

    /// Accepts drafts in order until one is rejected or the run ends; leaves `slot.logits` at
    /// the position after the last kept token. Returns how many drafts were accepted.
    private func judge(_ run: SpeculativeRun, rows: [Float]) -> Int {
        let slot = run.slot, vocab = model.config.vocab
        for (j, draft) in run.drafts.enumerated() {
            let row = Array(rows[(j * vocab)..<((j + 1) * vocab)])
            slot.logits = row
            if slot.finishAfterForward != nil || slot.done { return j }
            let scores = prepareLogits(slot)
            guard slot.sampler.acceptDraft(draft, logits: &slot.logits, history: slot.history[...]) else {
                // The next step draws this position again, from the untouched row, without the draft.
                slot.logits = row
                if slot.sampler.params.temperature > 0 { slot.rejectedDraft = draft }
                return j
            }
            guard take(draft, slot, scores) else { return j + 1 }
        }
        let k = run.drafts.count
        slot.logits = Array(rows[(k * vocab)..<((k + 1) * vocab)])
        return k
    }
}
