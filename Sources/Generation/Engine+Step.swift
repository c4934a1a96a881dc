import Foundation
import Llama

/// Chunked prefill inside the batch (`batchTokenBudget` > 0): one model step is one ragged
/// batched forward holding every decoding job's next token AND chunks of the prompts still
/// being prefilled, so the weights are read once for both and a long prompt delays the others
/// by at most one step, whose prompt share is sized to keep it near `stepTimeMs`.
extension Engine {
    /// One sequence's rows in a step: a sampled token, or the next chunk of a prompt.
    private struct StepRow {
        let slot: DecodeSlot
        let tokens: [Int32]
        /// Cache position of the first token.
        let start: Int
        /// A decode row, or the chunk that ends a prompt: its logits give the next token.
        let wantsLogits: Bool
        let isPrefill: Bool
    }

    /// Samples a token for every decoding slot, sizes this step's prompt share (`StepBudget`:
    /// a target step time while streams decode, learned costs in `cost`) and shares it among
    /// waiting prompts (`PrefillSchedule`), runs one forward over all of it, then updates the slots.
    func batchStep(_ slots: [DecodeSlot], cost: inout StepCost) {
        let stepStart = MonotonicClock.nowMs()
        // While prompts are prefilled, a drafting stream's own verifying forward would add a
        // second forward (its fixed cost: reading every weight) to every step, i.e. to the
        // others' gaps between tokens: its token joins the batch instead.
        let (plain, drafted) = nextTokens(slots.filter(\.isDecoding), draft: !slots.contains(where: \.isPrefilling))
        var rows = plain.map { StepRow(slot: $0.slot, tokens: [$0.token], start: $0.slot.history.count - 1, wantsLogits: true,
                                       isPrefill: false) }
        let decodeRows = rows.count + drafted.count
        let work = StepWork(model.config)
        let decodeWork = rows.reduce(0) { $0 + work.rows(1, at: $1.start, logits: 1) }
        let verifyMs = drafted.reduce(0) { ms, d in
            ms + (cost.predictMs(work: work.rows(d.drafts.count + 1, at: d.slot.history.count - 1,
                                                 logits: d.drafts.count + 1)) ?? 0)
        }
        rows += prefillRows(slots, decoding: decodeRows, decodeWork: decodeWork, otherMs: verifyMs, cost: cost)
        guard !rows.isEmpty || !drafted.isEmpty else { return }
        condition.lock()
        peakBatch = max(peakBatch, decodeRows)
        condition.unlock()
        var forwardMs = 0.0, predicted: Double?
        if !rows.isEmpty {
            let start = MonotonicClock.nowMs()
            run(rows)
            forwardMs = MonotonicClock.nowMs() - start
            let stepWork = rows.reduce(0) { $0 + work.rows($1.tokens.count, at: $1.start, logits: $1.wantsLogits ? 1 : 0) }
            predicted = cost.predictMs(work: stepWork)
            cost.record(work: stepWork, ms: forwardMs)
        }
        for draft in drafted { verify(draft) }
        if config.traceSteps {
            traceStep(rows, drafted: drafted.count, forwardMs: forwardMs, predicted: predicted,
                      stepMs: MonotonicClock.nowMs() - stepStart)
        }
        endFinished(drafted.map(\.slot))
        let now = MonotonicClock.nowMs()
        for row in rows where !row.slot.done && row.isPrefill {
            let slot = row.slot
            slot.prefillAt += row.tokens.count
            if slot.prefillAt == slot.prompt.count {
                slot.decodeStartMs = now
                slot.outcome.prefillMs = now - slot.prefillStartMs
                slot.outcome.prefilled = slot.prompt.count - slot.reusedTokens
            }
        }
        endFinished(rows.filter { !$0.isPrefill }.map(\.slot))
    }

    /// One line per step (`traceSteps`): where a step's time goes, to find stalls.
    private func traceStep(_ rows: [StepRow], drafted: Int, forwardMs: Double, predicted: Double?, stepMs: Double) {
        let prefill = rows.filter(\.isPrefill).map(\.tokens.count)
        let deepest = rows.filter(\.isPrefill).map(\.start).max() ?? 0
        let guess = predicted.map { String(format: "%.1f", $0) } ?? "-"
        config.log(String(format: "step decode=%d verify=%d prefill=%@ at=%d forward_ms=%.1f predicted_ms=%@ step_ms=%.1f",
                          rows.count - prefill.count, drafted, "\(prefill)" as NSString, deepest, forwardMs, guess as NSString,
                          stepMs))
    }

    /// This step's prompt chunks (cancelled prompts end here instead).
    private func prefillRows(_ slots: [DecodeSlot], decoding: Int, decodeWork: Double, otherMs: Double,
                             cost: StepCost) -> [StepRow] {
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
            PrefillSchedule.Candidate(id: i, remaining: slot.prompt.count - slot.prefillAt, waitedSteps: slot.prefillWaitedSteps,
                                      isFresh: slot.prefillAt == slot.reusedTokens)
        }
        guard !waiting.isEmpty else { return [] }
        let step = StepBudget(targetMs: config.stepTimeMs, maxTokens: config.batchTokenBudget)
        let budget = step.promptTokens(decoding: decoding, decodeWork: decodeWork, otherMs: otherMs,
                                       deepest: waiting.map(\.prefillAt).max() ?? 0, cost: cost,
                                       work: StepWork(model.config))
        let plan = PrefillSchedule.plan(candidates, budget: budget, wholeUpTo: decoding > 0 ? step.wholePrompt : 0)
        for slot in waiting { slot.prefillWaitedSteps += 1 }
        return plan.map { id, n in
            let slot = waiting[id]
            slot.prefillWaitedSteps = 0
            if slot.prefillAt == slot.reusedTokens { slot.prefillStartMs = MonotonicClock.nowMs() }
            let end = slot.prefillAt + n
            return StepRow(slot: slot, tokens: Array(slot.prompt[slot.prefillAt..<end]), start: slot.prefillAt,
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
