import Foundation
import Llama
import Sampling
import Sessions

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

    /// Runs a job to its one final event. Cancelled or failed turns are ROLLED BACK: the
    /// session's history and cache return to the start of the turn and nothing is logged, so
    /// a client that lost the stream can resend the same request. A completed turn is
    /// committed (and fsync'd to the session log) before `.finished` is sent.
    func run(_ job: EngineJob) {
        let startMs = MonotonicClock.nowMs()
        if job.ticket.isCancelled {
            if let s = job.session { sessions.release(s) }
            job.onEvent(.finished(result(job, RunOutcome(reason: .cancelled), promptTokens: 0, cached: 0, startMs: startMs)))
            return
        }
        let entry = job.session ?? sessions.checkoutAnonymous(prompt: job.newTokens)
        defer { sessions.release(entry) }
        let prompt = job.session == nil ? job.newTokens : entry.tokens + job.newTokens
        do {
            try sessions.reserve(entry, totalTokens: prompt.count + job.request.maxTokens)
        } catch {
            job.onEvent(.failed(Self.map(error, sessionID: entry.id)))
            return
        }
        var cache: KVCache
        var plan: CachePlan
        do {
            (cache, plan) = try sessions.takeCache(entry, prompt: prompt)
        } catch {
            job.onEvent(.failed(.internalError("preparing the KV cache: \(error)")))
            return
        }
        let kvFrom = plan.reusedTokens
        var outcome = RunOutcome()
        do {
            try generate(job, prompt: prompt, from: kvFrom, cache: &cache, outcome: &outcome)
        } catch {
            sessions.rollback(entry, cache: cache, kvFrom: kvFrom)
            job.onEvent(.failed(Self.map(error, sessionID: entry.id)))
            return
        }
        if outcome.reason == .cancelled {
            sessions.rollback(entry, cache: cache, kvFrom: kvFrom)
        } else {
            let reply = job.mode == .messages
                ? [SessionMessage(role: "assistant", content: tokenizer.decode(outcome.generated))] : []
            do {
                try sessions.commit(entry, cache: cache, kvFrom: kvFrom, history: prompt + outcome.generated,
                                    mode: job.mode, newMessages: job.newMessages + reply)
            } catch {
                sessions.rollback(entry, cache: cache, kvFrom: kvFrom)
                job.onEvent(.failed(.internalError("saving session '\(entry.id ?? "")': \(error)")))
                return
            }
        }
        job.onEvent(.finished(result(job, outcome, promptTokens: prompt.count, cached: kvFrom, startMs: startMs)))
    }

    private func result(_ job: EngineJob, _ o: RunOutcome, promptTokens: Int, cached: Int, startMs: Double) -> GenerationResult {
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
