import Foundation
import Llama
import Sampling

extension Engine {
    /// With `batchTokenBudget` 0 (the behaviour before chunked prefill in the batch): prefills
    /// up to `prefillChunk` prompt tokens in all, oldest job first, one forward per job of its
    /// own (cancellation checked before each). A job whose prompt is done has its first logits.
    func prefillStep(_ slots: [DecodeSlot]) {
        var budget = max(config.prefillChunk, 1)
        for slot in slots where slot.isPrefilling && budget > 0 {
            if slot.job.ticket.isCancelled {
                slot.outcome.reason = .cancelled
                slot.done = true
                continue
            }
            if slot.prefillAt == slot.reusedTokens { slot.prefillStartMs = MonotonicClock.nowMs() }
            let end = min(slot.prefillAt + budget, slot.prompt.count)
            do {
                guard var cache = slot.cache else { throw GenerationError.internalError("prefill without a cache") }
                slot.cache = nil
                defer { slot.cache = cache }
                slot.logits = try model.forward(Array(slot.prompt[slot.prefillAt..<end]), cache: &cache)
            } catch {
                fail(slot, error)
                continue
            }
            budget -= end - slot.prefillAt
            slot.prefillAt = end
            if end == slot.prompt.count {
                slot.decodeStartMs = MonotonicClock.nowMs()
                slot.outcome.prefillMs = slot.decodeStartMs - slot.prefillStartMs
                slot.outcome.prefilled = slot.prompt.count - slot.reusedTokens
            }
        }
    }

    /// One token for every decoding slot: sample, end-of-generation check, max tokens, stop
    /// strings, UTF-8-safe text, emit; then one batched forward of the sampled tokens (the
    /// last token is run too, so the cache covers the whole history).
    func decodeStep(_ slots: [DecodeSlot]) {
        let (plain, drafted) = nextTokens(slots)
        let rows = plain.map(\.slot)
        if !rows.isEmpty { forward(plain.map(\.token), rows) }
        for run in drafted { verify(run) }
        endFinished(rows + drafted.map(\.slot))
    }

    /// Samples the next token of every decoding slot (those whose run ends here drop out).
    /// Slots that draft continue in a forward of their own over [token, drafts] (`verify`);
    /// the others' tokens go into the step's batched forward. `draft` false: nobody drafts.
    func nextTokens(_ decoding: [DecodeSlot], draft: Bool = true)
        -> (plain: [(slot: DecodeSlot, token: Int32)], drafted: [SpeculativeRun]) {
        var plain: [(slot: DecodeSlot, token: Int32)] = []
        var drafted: [SpeculativeRun] = []
        let speculating = draft && speculationAllowed(decoding: decoding.count)
        for slot in decoding {
            guard let token = sampleNext(slot) else { continue }
            if speculating, let run = speculativeRun(slot, token) {
                drafted.append(run)
            } else {
                plain.append((slot, token))
            }
        }
        return (plain, drafted)
    }

    /// Ends the runs whose last token (a stop string's end, or max tokens) is now in the cache.
    func endFinished(_ slots: [DecodeSlot]) {
        for slot in slots where !slot.done {
            if let reason = slot.finishAfterForward {
                slot.outcome.reason = reason
                endDecode(slot)
            }
        }
    }

    /// The next token of a slot to run, or nil when its run ended without one.
    func sampleNext(_ slot: DecodeSlot) -> Int32? {
        let request = slot.job.request
        if slot.job.ticket.isCancelled {
            slot.outcome.reason = .cancelled
            endDecode(slot)
            return nil
        }
        let scores = prepareLogits(slot)
        let token: Int32
        if let schema = request.constraint {
            guard let t = sampleConstrained(slot, schema) else {
                endDecode(slot)
                return nil
            }
            token = t
        } else if let rejected = slot.rejectedDraft {
            token = slot.sampler.sample(logits: &slot.logits, history: slot.history[...], excluding: rejected)
        } else {
            token = slot.sampler.sample(logits: &slot.logits, history: slot.history[...])
        }
        slot.rejectedDraft = nil
        return take(token, slot, scores) ? token : nil
    }

    /// Adds a chosen token to the slot's run exactly as plain decoding does: end of generation
    /// ends the run without it (false); otherwise it is generated, its text emitted, and a stop
    /// string or max tokens marks the run to end once the token is in the cache.
    func take(_ token: Int32, _ slot: DecodeSlot, _ scores: [Float]?) -> Bool {
        let request = slot.job.request
        if (!request.ignoreEOS || request.constraint != nil) && tokenizer.isEndOfGeneration(token) {
            slot.outcome.reason = .stop
            endDecode(slot)
            return false
        }
        slot.outcome.generated.append(token)
        slot.history.append(token)
        let (emit, stopped) = slot.stream.append(tokenizer.tokenBytes(token))
        if !stopped || !emit.isEmpty { slot.emit(.token(id: token, text: emit, logprob: logprob(slot, token, scores))) }
        if stopped || slot.outcome.generated.count >= request.maxTokens {
            slot.finishAfterForward = stopped ? .stop : .length
        }
        return true
    }

    /// Runs row i's token on its slot's cache, all rows in one batched forward. The caches are
    /// moved out of the slots meanwhile, so each storage stays uniquely referenced (no copy).
    /// If the batch throws, each row runs alone so only the row at fault fails.
    private func forward(_ tokens: [Int32], _ rows: [DecodeSlot]) {
        var caches = rows.map { slot -> KVCache in
            defer { slot.cache = nil }
            return slot.cache ?? makeCache()
        }
        defer { for (slot, cache) in zip(rows, caches) { slot.cache = cache } }
        condition.lock()
        peakBatch = max(peakBatch, rows.count)
        condition.unlock()
        if rows.count == 1 {
            // A batch of one is a plain decode step; skip the batch bookkeeping.
            do { rows[0].logits = try model.forward(tokens, cache: &caches[0]) } catch { fail(rows[0], error) }
            return
        }
        do {
            let logits = try model.forwardBatch(tokens, caches: &caches)
            for (slot, l) in zip(rows, logits) { slot.logits = l }
        } catch {
            for i in rows.indices {
                do { rows[i].logits = try model.forward([tokens[i]], cache: &caches[i]) } catch { fail(rows[i], error) }
            }
        }
    }

    /// Decode over: held-back text (an unfinished stop-string prefix or UTF-8 sequence) is
    /// released, unless cancelled.
    func endDecode(_ slot: DecodeSlot) {
        slot.done = true
        slot.outcome.decodeMs = MonotonicClock.nowMs() - slot.decodeStartMs
        if slot.outcome.reason != .cancelled, case let tail = slot.stream.finish(), !tail.isEmpty,
           let last = slot.outcome.generated.last {
            slot.emit(.token(id: last, text: tail, logprob: nil))
        }
        slot.outcome.text = slot.stream.text
    }

    func fail(_ slot: DecodeSlot, _ error: Error) {
        slot.error = error
        slot.done = true
    }
}
