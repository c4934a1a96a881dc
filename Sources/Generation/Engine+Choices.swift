import Llama
import Sampling

/// `n > 1`: one prefill, then the prompt's cache is forked per choice. `KVCache` is a
/// copy-on-write value, so a fork costs nothing until its first decode step writes its own
/// token, which copies the prompt's rows once; from then on every choice decodes in the
/// same batched forward as any other running job.
extension Engine {
    func checkChoices(_ request: GenerationRequest) throws {
        guard (1...128).contains(request.n) else {
            throw GenerationError.invalidRequest(param: "n", message: "n must be between 1 and 128")
        }
        if request.n > 1, request.sessionID != nil {
            throw GenerationError.invalidRequest(
                param: "n", message: "n > 1 cannot continue a session (a session holds one conversation)")
        }
        if let k = request.topLogprobs, !(0...20).contains(k) {
            throw GenerationError.invalidRequest(param: "top_logprobs", message: "top_logprobs must be between 0 and 20")
        }
    }

    /// New slots for the choices 1..<n of every job whose prompt was just prefilled.
    func forkChoices(_ slots: [DecodeSlot]) -> [DecodeSlot] {
        var forks: [DecodeSlot] = []
        for slot in slots where slot.choice == 0 && !slot.forked && slot.isDecoding {
            slot.forked = true
            let n = slot.job.request.n
            guard n > 1, let cache = slot.cache else { continue }
            for choice in 1..<n {
                let fork = DecodeSlot(job: slot.job, entry: slot.entry, prompt: slot.prompt, cache: cache,
                                      reusedTokens: slot.reusedTokens, startMs: slot.startMs)
                fork.choice = choice
                fork.forked = true
                fork.logits = slot.logits
                fork.prefillAt = slot.prefillAt
                fork.prefillStartMs = slot.prefillStartMs
                fork.decodeStartMs = slot.decodeStartMs
                fork.outcome.prefillMs = slot.outcome.prefillMs
                // A given seed stays reproducible, and each choice gets its own stream.
                var params = slot.job.request.sampling
                params.seed = params.seed.map { $0 &+ UInt64(choice) }
                fork.sampler = Sampler(params: params)
                forks.append(fork)
            }
            slot.job.choicesLeft += n - 1
        }
        return forks
    }

    /// A fork's final event: nothing to commit, its cache is dropped with the slot.
    func forkResult(_ slot: DecodeSlot) -> ChoiceEvent {
        if let error = slot.error { return .failed(Self.map(error, sessionID: nil)) }
        return .finished(result(slot.job, slot.outcome, promptTokens: slot.prompt.count,
                                cached: slot.reusedTokens, startMs: slot.startMs))
    }

    /// OpenAI penalties and logit bias on the slot's logits; when logprobs are asked for, the
    /// distribution they are read from (the model's, before temperature and filters).
    func prepareLogits(_ slot: DecodeSlot) -> [Float]? {
        slot.sampler.applyPenaltiesAndBias(&slot.logits, generated: slot.outcome.generated)
        return slot.job.request.topLogprobs == nil ? nil : slot.logits
    }

    func logprob(_ slot: DecodeSlot, _ token: Int32, _ scores: [Float]?) -> TokenLogprob? {
        guard let scores, let k = slot.job.request.topLogprobs, scores.indices.contains(Int(token)) else { return nil }
        let lp = TokenLogprobs(logits: scores, count: k)
        let top = lp.top.map { TokenLogprob(id: $0.id, bytes: tokenizer.tokenBytes($0.id), logprob: $0.logprob) }
        return TokenLogprob(id: token, bytes: tokenizer.tokenBytes(token), logprob: lp.logprob(of: scores[Int(token)]),
                            top: top)
    }
}
