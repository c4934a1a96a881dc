import Foundation
import Llama

/// Chunked prefill inside the batch (`batchTokenBudget` > 0): one model step is one ragged
/// batched forward holding every decoding job's next token AND chunks of the prompts still
/// being prefilled, so the weights are read once for both and a long prompt delays the others
/// by at most one step of `batchTokenBudget` tokens.
extension Engine {
    /// One sequence's rows in a step: a sampled token, or the next chunk of a prompt.
    private struct StepRow {
        let slot: DecodeSlot
        let tokens: [Int32]
        /// A decode row, or the chunk that ends a prompt: its logits give the next token.
        let wantsLogits: Bool
        let isPrefill: Bool
    }

    /// Samples a token for every decoding slot, shares the rest of the budget among waiting
    /// prompts (`PrefillSchedule`), runs one forward over all of it, then updates the slots.
    func batchStep(_ slots: [DecodeSlot]) {
        var rows: [StepRow] = []
        var drafted: [SpeculativeRun] = []
        let decoding = slots.filter(\.isDecoding)
        let speculating = speculationAllowed(decoding: decoding.count)
        for slot in decoding {
            if let token = sampleNext(slot) {
                // A drafting stream verifies [token, drafts] in a forward of its own (below).
                if speculating, let draft = speculativeRun(slot, token) {
                    drafted.append(draft)
                    continue
                }
                rows.append(StepRow(slot: slot, tokens: [token], wantsLogits: true, isPrefill: false))
            }
        }
        let decodeRows = rows.count + drafted.count
        // Prompts always get a share, so many decoding streams cannot starve them.
        let budget = max(config.batchTokenBudget - decodeRows, config.batchTokenBudget / 4, 1)
        rows += prefillRows(slots, budget: budget)
        guard !rows.isEmpty || !drafted.isEmpty else { return }
        condition.lock()
        peakBatch = max(peakBatch, decodeRows)
        condition.unlock()
        if !rows.isEmpty { run(rows) }
        for draft in drafted { verify(draft) }
        for slot in drafted.map(\.slot) where !slot.done {
            if let reason = slot.finishAfterForward {
                slot.outcome.reason = reason
                endDecode(slot)
            }
        }
        let now = MonotonicClock.nowMs()
        for row in rows where !row.slot.done {
            let slot = row.slot
            if row.isPrefill {
                slot.prefillAt += row.tokens.count
                if slot.prefillAt == slot.prompt.count {
                    slot.decodeStartMs = now
                    slot.outcome.prefillMs = now - slot.prefillStartMs
                    slot.outcome.prefilled = slot.prompt.count - slot.reusedTokens
                }
            } else if let reason = slot.finishAfterForward {
                slot.outcome.reason = reason
                endDecode(slot)
            }
        }
    }

    /// This step's prompt chunks (cancelled prompts end here instead).
    private func prefillRows(_ slots: [DecodeSlot], budget: Int) -> [StepRow] {
        var waiting: [DecodeSlot] = []
        for slot in slots where slot.isPrefilling {
            if slot.job.ticket.isCancelled {
                slot.outcome.reason = .cancelled
                slot.done = true
            } else {
                waiting.append(slot)
            }
        }
        let candidates = waiting.enumerated().map { i, slot in
            PrefillSchedule.Candidate(id: i, remaining: slot.prompt.count - slot.prefillAt, waitedSteps: slot.prefillWaitedSteps)
        }
        let plan = PrefillSchedule.plan(candidates, budget: budget)
        for slot in waiting { slot.prefillWaitedSteps += 1 }
        return plan.map { id, n in
            let slot = waiting[id]
            slot.prefillWaitedSteps = 0
            if slot.prefillAt == slot.reusedTokens { slot.prefillStartMs = MonotonicClock.nowMs() }
            let end = slot.prefillAt + n
            return StepRow(slot: slot, tokens: Array(slot.prompt[slot.prefillAt..<end]),
                           wantsLogits: end == slot.prompt.count, isPrefill: true)
        }
    }

    /// Runs all rows in one ragged forward. The caches are moved out of the slots meanwhile, so
    /// each storage stays uniquely referenced (no copy). If the batch throws, each row runs
    /// alone so only the row at fault fails.
    private func run(_ rows: [StepRow]) {
        var caches = rows.map { row -> KVCache in
            defer { row.slot.cache = nil }
            return row.slot.cache ?? model.makeCache()
        }
        defer { for (row, cache) in zip(rows, caches) { row.slot.cache = cache } }
        if rows.count == 1 {
            // One sequence: the plain forward (matvec for a single token).
            do { rows[0].slot.logits = try model.forward(rows[0].tokens, cache: &caches[0]) } catch { fail(rows[0].slot, error) }
            return
        }
        do {
            let logits = try model.forwardBatch(sequences: rows.map(\.tokens), caches: &caches,
                                                wantLogits: rows.map(\.wantsLogits))
            for (row, l) in zip(rows, logits) where row.wantsLogits { row.slot.logits = l }
        } catch {
            for i in rows.indices {
                do { rows[i].slot.logits = try model.forward(rows[i].tokens, cache: &caches[i]) } catch { fail(rows[i].slot, error) }
            }
        }
    }
}
