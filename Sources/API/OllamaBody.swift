import Grammar
import Generation
import Sampling
import Tokenization

// Bodies of Ollama's /api/chat ({model, messages, stream, options}) and /api/generate
// ({model, prompt, system, raw, stream, options}).
enum OllamaBody {
    static let chatFields = ["model", "messages", "stream", "options", "format", "keep_alive", "tools", "think",
                             "speculative"]
    static let generateFields = ["model", "prompt", "system", "raw", "stream", "options", "format", "keep_alive",
                                 "suffix", "template", "context", "images", "think", "speculative"]
    static let optionFields = ["temperature", "top_p", "top_k", "min_p", "num_predict", "seed", "stop",
                               "repeat_penalty", "repeat_last_n", "presence_penalty", "frequency_penalty"]

    static func decode(_ bytes: [UInt8], chat: Bool, contextLength: Int,
                       log: (String) -> Void) throws -> (GenerationRequest, stream: Bool) {
        let (r, ignored) = try OpenAIBody.lenientReader(bytes, known: chat ? chatFields : generateFields)
        _ = try r.string("model")
        // Ollama's `format`: "json" (any JSON object) or a JSON Schema object.
        var constraint: CompiledSchema?
        switch r.value("format") {
        case nil, .string("")?: break
        case .string("json")?: constraint = CompiledSchema.anyObject()
        case let schema?: constraint = try StructuredOutput.jsonSchema(schema, param: "format").compiled
        }
        let input: GenerationRequest.Input
        if chat {
            guard let messages = r.value("messages") else { throw APIError.invalid("messages", "messages is required") }
            input = .messages(try OpenAIMessages.decode(messages))
        } else {
            guard let prompt = try r.string("prompt"), !prompt.isEmpty else { throw APIError.invalid("prompt", "prompt is required") }
            if try r.bool("raw") == true {
                input = .text(prompt)
            } else {
                var messages = [ChatMessage(role: "user", content: prompt)]
                if let system = try r.string("system") { messages.insert(ChatMessage(role: "system", content: system), at: 0) }
                input = .messages(messages)
            }
        }
        var request = GenerationRequest(input: input, maxTokens: min(OpenAIBody.defaultMaxTokens, max(1, contextLength)))
        request.constraint = constraint
        request.speculative = try r.speculativeMode()
        var ignoredOptions: [String] = []
        if let options = r.value("options") {
            let (o, unknown) = try OpenAIBody.lenientReader(JSONWriter.bytes(options), known: optionFields)
            ignoredOptions = unknown.map { "options." + $0 }
            request.sampling = try OpenAIBody.sampling(o)
            if let n = try o.int("num_predict", in: -2...max(1, contextLength)), n > 0 { request.maxTokens = n }
            if let n = try o.int("repeat_last_n", in: -1...max(1, contextLength)) { request.sampling.repeatLastN = n }
            request.stop = try OpenAIBody.stop(o)
        }
        if !(ignored + ignoredOptions).isEmpty { log("ollama: ignoring fields \((ignored + ignoredOptions).joined(separator: ", "))") }
        return (request, try r.bool("stream") ?? true)
    }
}
