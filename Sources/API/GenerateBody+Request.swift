import Generation
import Sampling
import Tokenization

extension GenerateBody {
    // Settings the client did not give keep SamplingParams' own defaults.
    public var generationRequest: GenerationRequest {
        var sampling = SamplingParams()
        if let t = temperature { sampling.temperature = Float(t) }
        if let k = topK { sampling.topK = k }
        if let p = topP { sampling.topP = Float(p) }
        if let p = minP { sampling.minP = Float(p) }
        if let r = repeatPenalty { sampling.repeatPenalty = Float(r) }
        if let s = seed { sampling.seed = s }
        let input: GenerationRequest.Input
        switch prompt {
        case .text(let s): input = .text(s)
        case .tokens(let ids): input = .tokens(ids)
        case .messages(let ms): input = .messages(ms.map { ChatMessage(role: $0.role, content: $0.content) })
        }
        var request = GenerationRequest(input: input, sampling: sampling, maxTokens: maxTokens,
                                        stop: stop, ignoreEOS: ignoreEOS, sessionID: sessionID)
        request.constraint = jsonSchema?.compiled
        request.speculative = speculative
        return request
    }
}
