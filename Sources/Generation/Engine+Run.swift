import Foundation
import Llama
import Sampling
import Sessions
import Tokenization

extension Engine {
    /// What one run produced, for the result and the session commit.
    struct RunOutcome {
        var generated: [Int32] = []
        var text = ""
        var reason = FinishReason.length
        var prefillMs = 0.0
        var decodeMs = 0.0
        var prefilled = 0
    }

    /// Starts a job on the worker: anonymous cache checkout, KV budget, cache plan. Returns its
    /// slot, or nil when the job already ended (cancelled while queued, or refused) — then its
    /// final event is sent. The session is released BEFORE any final event, so a client may
    /// send its next turn as soon as it has the answer.
    func begin(_ job: EngineJob) -> DecodeSlot? {
        let startMs = MonotonicClock.nowMs()
        if job.ticket.isCancelled {
            if let s = job.session { sessions.release(s) }
            job.onEvent(0, .finished(result(job, RunOutcome(reason: .cancelled), promptTokens: 0, cached: 0, startMs: startMs)))
            jobEnded(job, startMs: startMs)
            return nil
        }
        let entry = job.session ?? sessions.checkoutAnonymous(prompt: job.newTokens)
        let prompt = job.session == nil ? job.newTokens : entry.tokens + job.newTokens
        do {
            try sessions.reserve(entry, totalTokens: prompt.count + job.request.maxTokens)
            let (cache, plan) = try sessions.takeCache(entry, prompt: prompt)
            return DecodeSlot(job: job, entry: entry, prompt: prompt, cache: cache, reusedTokens: plan.reusedTokens,
                              startMs: startMs)
        } catch {
            sessions.release(entry)
            job.onEvent(0, .failed(Self.map(error, sessionID: entry.id)))
            jobEnded(job, startMs: startMs)
            return nil
        }
    }

    /// Ends a slot whose run is over with its one final event.
    /// Cancelled or failed turns are ROLLED BACK: the session's history and cache return to
    /// the start of the turn and nothing is logged, so a client that lost the stream can resend
    /// the same request. A completed turn is committed (and fsync'd to the session log) before
    /// its `.finished` event exists.
    func finish(_ slot: DecodeSlot) {
        var final: ChoiceEvent
        if slot.choice == 0 {
            final = settle(slot)
            sessions.release(slot.entry)
        } else {
            final = forkResult(slot)
        }
        // Stopped by the server rather than its client: the client learns why.
        if case .finished(let r) = final, r.finishReason == .cancelled, let failure = slot.job.ticket.failureReason {
            final = .failed(failure)
        }
        slot.emit(final)
        slot.job.choicesLeft -= 1
        if slot.job.choicesLeft == 0 { jobEnded(slot.job, startMs: slot.startMs) }
    }

    private func settle(_ slot: DecodeSlot) -> ChoiceEvent {
        let job = slot.job, entry = slot.entry
        var cache = slot.cache ?? model.makeCache()
        if let error = slot.error {
            sessions.rollback(entry, cache: cache, kvFrom: slot.kvFrom)
            return .failed(Self.map(error, sessionID: entry.id))
        }
        let outcome = slot.outcome
        if outcome.reason == .cancelled {
            sessions.rollback(entry, cache: cache, kvFrom: slot.kvFrom)
        } else {
            do {
                var history = slot.prompt + outcome.generated
                let reply = tokenizer.decode(outcome.generated)
                if job.mode == .messages, job.session != nil {
                    history = try canonicalHistory(job, entry: entry, reply: reply, history: history,
                                                   cache: &cache, kvFrom: &slot.kvFrom)
                }
                let replyMessage = job.mode == .messages ? [SessionMessage(role: "assistant", content: reply)] : []
                try sessions.commit(entry, cache: cache, kvFrom: slot.kvFrom, history: history,
                                    mode: job.mode, newMessages: job.newMessages + replyMessage)
            } catch {
                sessions.rollback(entry, cache: cache, kvFrom: slot.kvFrom)
                return .failed(Self.map(error, sessionID: entry.id))
            }
        }
        return .finished(result(job, outcome, promptTokens: slot.prompt.count, cached: slot.reusedTokens,
                                startMs: slot.startMs))
    }

    /// A session in messages mode must hold exactly the tokens of its conversation rendered at
    /// once. The sampled reply tokens may be a non-canonical spelling of the reply text (e.g.
    /// " Mar"+"ina" where the tokenizer makes " Marina"), which a client re-sending the text
    /// would never produce. So the reply is re-tokenized in place; from the first differing
    /// token the cache is cut and the canonical tokens are run. Usually nothing differs.
    private func canonicalHistory(_ job: EngineJob, entry: SessionEntry<KVCache>, reply: String, history: [Int32],
                                  cache: inout KVCache, kvFrom: inout Int) throws -> [Int32] {
        guard let template else { return history }
        let previous = (entry.messages + job.newMessages).map { ChatMessage(role: $0.role, content: $0.content) }
        let shown = try ConversationContinuation.renderedReply(
            template: template, before: previous, reply: ChatMessage(role: "assistant", content: reply))
        let pieces = try template.render(previous, addGenerationPrompt: true) + [.text(shown)]
        let canonical = try tokenizer.encode(pieces: ConversationContinuation.normalized(pieces))
        guard canonical != history else { return history }
        var same = 0
        while same < min(canonical.count, history.count), canonical[same] == history[same] { same += 1 }
        if cache.count > same { cache.truncate(to: same) }
        kvFrom = min(kvFrom, cache.count)
        var start = cache.count
        while start < canonical.count {
            let end = min(start + max(config.prefillChunk, 1), canonical.count)
            _ = try model.forward(Array(canonical[start..<end]), cache: &cache)
            start = end
        }
        return canonical
    }

    func result(_ job: EngineJob, _ o: RunOutcome, promptTokens: Int, cached: Int, startMs: Double) -> GenerationResult {
        let timings = GenerationTimings(
            queueMs: startMs - job.submittedMs, prefillMs: o.prefillMs, decodeMs: o.decodeMs,
            prefillTokensPerSecond: o.prefillMs > 0 ? Double(o.prefilled) * 1000 / o.prefillMs : 0,
            decodeTokensPerSecond: o.decodeMs > 0 ? Double(o.generated.count) * 1000 / o.decodeMs : 0)
        return GenerationResult(
            text: o.text, tokens: o.generated, finishReason: o.reason, sessionID: job.request.sessionID,
            usage: GenerationUsage(promptTokens: promptTokens, cachedTokens: cached, completionTokens: o.generated.count),
            timings: timings)
    }
}
