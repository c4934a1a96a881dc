import Foundation
import Llama
import Sampling

extension Engine {
    /// Prefill `prompt[from...]` on `cache`, then the decode loop: sample, end-of-generation
    /// check, max tokens, stop strings, UTF-8-safe text, emit, cancellation, forward.
    /// Leaves `cache` holding the whole prompt and every generated token (so a session's next
    /// turn prefills only its new tokens), except when cancelled.
    func generate(_ job: EngineJob, prompt: [Int32], from: Int, cache: inout KVCache, outcome: inout RunOutcome) throws {
        let request = job.request
        let prefillStart = MonotonicClock.nowMs()
        guard var logits = try prefill(prompt[from...], cache: &cache, ticket: job.ticket) else {
            outcome.reason = .cancelled
            return
        }
        let decodeStart = MonotonicClock.nowMs()
        outcome.prefillMs = decodeStart - prefillStart
        outcome.prefilled = prompt.count - from
        defer { outcome.decodeMs = MonotonicClock.nowMs() - decodeStart }

        var sampler = Sampler(params: request.sampling)
        var stream = TextStream(stops: request.stop)
        var history = prompt
        while true {
            if job.ticket.isCancelled {
                outcome.reason = .cancelled
                break
            }
            let token = sampler.sample(logits: &logits, history: history[...])
            if !request.ignoreEOS && tokenizer.isEndOfGeneration(token) {
                outcome.reason = .stop
                break
            }
            outcome.generated.append(token)
            history.append(token)
            let (emit, stopped) = stream.append(tokenizer.tokenBytes(token))
            if !stopped || !emit.isEmpty { job.onEvent(.token(id: token, text: emit)) }
            let done = stopped || outcome.generated.count >= request.maxTokens
            // The last token is run too, so the cache covers the whole history.
            logits = try model.forward([token], cache: &cache)
            if done {
                outcome.reason = stopped ? .stop : .length
                break
            }
        }
        if outcome.reason != .cancelled, case let tail = stream.finish(), !tail.isEmpty, let last = outcome.generated.last {
            // Held-back text (an unfinished stop-string prefix or UTF-8 sequence) released at the end.
            job.onEvent(.token(id: last, text: tail))
        }
        outcome.text = stream.text
    }

    /// Runs the prompt suffix in chunks, checking cancellation between them.
    /// Returns the last position's logits, or nil when cancelled.
    private func prefill(_ tokens: ArraySlice<Int32>, cache: inout KVCache, ticket: GenerationTicket) throws -> [Float]? {
        var logits: [Float] = []
        var start = tokens.startIndex
        let chunk = max(config.prefillChunk, 1)
        while start < tokens.endIndex {
            if ticket.isCancelled { return nil }
            let end = min(start + chunk, tokens.endIndex)
            logits = try model.forward(Array(tokens[start..<end]), cache: &cache)
            start = end
        }
        return logits
    }
}
