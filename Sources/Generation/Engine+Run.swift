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
        /// Speculative decoding: draft tokens verified / kept.
        var drafted = 0
        var accepted = 0
    }

    /// What `begin` did with a job.
    enum BeginOutcome {
        case started(DecodeSlot)
        /// Its final event is sent (cancelled while queued, or refused).
        case ended
        /// The KV budget has no room beside the running jobs yet: nothing changed, retry later.
        case deferred
        /// Its session is being read from disk off the worker; retry once `loaded(job)` ran.
        case loading
    }

    /// Starts a job on the worker: anonymous cache checkout, KV reservation (the session
    /// manager's budget decides; `alone` means nothing else runs, so it must start), cache
    /// plan. The session is released BEFORE any final event, so a client may send its next
    /// turn as soon as it has the answer.
    func begin(_ job: EngineJob, alone: Bool) -> BeginOutcome {
        let startMs = MonotonicClock.nowMs()
        if job.ticket.isCancelled {
            if let s = job.session { sessions.release(s) }
            job.onEvent(0, .finished(result(job, RunOutcome(reason: .cancelled), promptTokens: 0, cached: 0, startMs: startMs)))
            jobEnded(job, startMs: startMs)
            return .ended
        }
        let entry = job.session ?? sessions.checkoutAnonymous(prompt: job.newTokens)
        let prompt = job.session == nil ? job.newTokens : entry.tokens + job.newTokens
        do {
            switch try sessions.reserve(entry, tokens: prompt.count + job.request.maxTokens, copies: job.request.n,
                                        alone: alone, loaded: { [self] in loaded(job) }) {
            case .deferred:
                if job.session == nil { sessions.release(entry) }
                return .deferred
            case .loading:
                return .loading
            case .ready:
                break
            }
            let (cache, plan) = try sessions.takeCache(entry, prompt: prompt)
            return .started(DecodeSlot(job: job, entry: entry, prompt: prompt, cache: cache,
                                       reusedTokens: plan.reusedTokens, startMs: startMs))
        } catch {
            sessions.release(entry)
            job.onEvent(0, .failed(Self.map(error, sessionID: entry.id)))
            jobEnded(job, startMs: startMs)
            return .ended
        }
    }

    /// Ends a slot whose run is over with its one final event.
    /// Cancelled or failed turns are ROLLED BACK: the session's history and cache return to
    /// the start of the turn and nothing is logged, so a client that lost the stream can resend
    /// the same request. A completed turn is committed, and its `.finished` event is sent only
    /// once the session manager reports it durable: for a logged session that is after the
    /// fsync on the log queue, so the worker goes on with the other slots meanwhile and
    /// `ended` runs on that queue (the job's only choice then: sessions take n = 1).
    func finish(_ slot: DecodeSlot) {
        let ended: @Sendable (ChoiceEvent) -> Void = { [self] settled in
            if slot.choice == 0 { sessions.release(slot.entry) }
            var final = settled
            // Stopped by the server rather than its client: the client learns why.
            if case .finished(let r) = final, r.finishReason == .cancelled, let failure = slot.job.ticket.failureReason {
                final = .failed(failure)
            }
            slot.emit(final)
            slot.job.choicesLeft -= 1
            if slot.job.choicesLeft == 0 { jobEnded(slot.job, startMs: slot.startMs) }
        }
        if slot.choice == 0 {
            settle(slot, then: ended)
        } else {
            ended(forkResult(slot))
        }
    }

    private func settle(_ slot: DecodeSlot, then ended: @escaping @Sendable (ChoiceEvent) -> Void) {
        let job = slot.job, entry = slot.entry
        var cache = slot.cache ?? makeCache()
        if let error = slot.error {
            sessions.rollback(entry, cache: cache, kvFrom: slot.kvFrom)
            return ended(.failed(Self.map(error, sessionID: entry.id)))
        }
        let outcome = slot.outcome
        let finished = ChoiceEvent.finished(result(job, outcome, promptTokens: slot.prompt.count,
                                                   cached: slot.reusedTokens, startMs: slot.startMs))
        if outcome.reason == .cancelled {
            sessions.rollback(entry, cache: cache, kvFrom: slot.kvFrom)
            return ended(finished)
        }
        var history = slot.prompt + outcome.generated
        let reply = tokenizer.decode(outcome.generated)
        do {
            if job.mode == .messages, job.session != nil {
                history = try canonicalHistory(job, entry: entry, reply: reply, history: history,
                                               cache: &cache, kvFrom: &slot.kvFrom)
            }
        } catch {
            sessions.rollback(entry, cache: cache, kvFrom: slot.kvFrom)
            return ended(.failed(Self.map(error, sessionID: entry.id)))
        }
        let replyMessage = job.mode == .messages ? [SessionMessage(role: "assistant", content: reply)] : []
        sessions.commit(entry, cache: cache, kvFrom: slot.kvFrom, history: history, mode: job.mode,
                        newMessages: job.newMessages + replyMessage) { error in
            ended(error.map { .failed(Self.map($0, sessionID: entry.id)) } ?? finished)
        }
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
        var timings = GenerationTimings(
            queueMs: startMs - job.submittedMs, prefillMs: o.prefillMs, decodeMs: o.decodeMs,
            prefillTokensPerSecond: o.prefillMs > 0 ? Double(o.prefilled) * 1000 / o.prefillMs : 0,
            decodeTokensPerSecond: o.decodeMs > 0 ? Double(o.generated.count) * 1000 / o.decodeMs : 0)
        timings.draftedTokens = o.drafted
        timings.acceptedDrafts = o.accepted
        return GenerationResult(
            text: o.text, tokens: o.generated, finishReason: o.reason, sessionID: job.request.sessionID,
            usage: GenerationUsage(promptTokens: promptTokens, cachedTokens: cached, completionTokens: o.generated.count),
            timings: timings)
    }
}
