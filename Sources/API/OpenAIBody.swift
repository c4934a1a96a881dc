import Generation
import Sampling
import Tokenization

// The decoded body of POST /v1/chat/completions and /v1/completions (OpenAI API reference,
// "Create chat completion" / "Create completion"). Fields a client may send that we do not
// use are ignored and logged at debug; wrong types or values are 400s naming the field.
struct OpenAIBody {
    static let chatFields = [
        "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stop", "seed",
        "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "stream",
        "stream_options", "response_format", "tools", "tool_choice", "user",
        "top_k", "min_p", "repeat_penalty", "ignore_eos", "session_id", "speculative",
    ]
    static let completionFields = [
        "model", "prompt", "max_tokens", "temperature", "top_p", "n", "stop", "seed", "presence_penalty",
        "frequency_penalty", "logit_bias", "logprobs", "stream", "stream_options", "user", "echo",
        "top_k", "min_p", "repeat_penalty", "ignore_eos", "session_id", "speculative",
    ]
    /// Without max_tokens a reply may run this long (clipped to the context).
    static let defaultMaxTokens = 1024
    /// /v1/completions' documented default.
    static let defaultCompletionMaxTokens = 16

    var request: GenerationRequest
    var model: String?
    var stream = false
    var includeUsage = false
    var logprobs = false
    /// Tools were given (and tool_choice is not "none"): the reply is parsed for tool calls.
    var toolsActive = false
    /// The session id as the client named it (the request's is scoped to its key).
    var sessionID: String?
    var ignored: [String] = []

    static func decode(_ bytes: [UInt8], legacy: Bool, contextLength: Int, owner: Owner) throws -> OpenAIBody {
        let known = legacy ? completionFields : chatFields
        let (r, ignored) = try lenientReader(bytes, known: known)
        let input: GenerationRequest.Input
        if legacy {
            input = try OpenAIMessages.prompt(r.value("prompt"))
        } else {
            guard let messages = r.value("messages") else { throw APIError.invalid("messages", "messages is required") }
            input = .messages(try OpenAIMessages.decode(messages))
        }
        let limit = max(1, contextLength)
        let maxTokens = try r.int("max_completion_tokens", in: 1...limit) ?? r.int("max_tokens", in: 1...limit)
            ?? min(legacy ? defaultCompletionMaxTokens : defaultMaxTokens, limit)
        var body = OpenAIBody(request: GenerationRequest(input: input, sampling: try sampling(r), maxTokens: maxTokens))
        body.ignored = ignored
        body.model = try r.string("model")
        body.request.n = try r.int("n", in: 1...16) ?? 1
        body.request.stop = try stop(r)
        body.request.ignoreEOS = try r.bool("ignore_eos") ?? false
        body.request.speculative = try r.speculativeMode()
        body.stream = try r.bool("stream") ?? false
        if let options = r.value("stream_options") {
            let o = try FieldReader(value: options, param: "stream_options", allowed: ["include_usage"])
            body.includeUsage = try o.bool("include_usage") ?? false
        }
        try body.decodeLogprobs(r, legacy: legacy)
        _ = try r.string("user")
        if legacy, try r.bool("echo") == true { throw APIError.invalid("echo", "echo is not supported") }
        if !legacy { try body.decodeTools(r) }
        if let id = try r.string("session_id") {
            guard Engine.isValidSessionID(owner.scoped(id)) else {
                throw APIError.invalid("session_id", "session_id must be 1-110 characters of [A-Za-z0-9._-]")
            }
            body.sessionID = id
            body.request.sessionID = owner.scoped(id)
        }
        if !legacy, let format = r.value("response_format") {
            body.request.constraint = try StructuredOutput.responseFormat(format)?.compiled
        }
        return body
    }

    /// A reader over the known members; the names of the others are returned to be logged.
    static func lenientReader(_ bytes: [UInt8], known: [String]) throws -> (FieldReader, [String]) {
        guard !bytes.isEmpty else { throw APIError.invalid(nil, "request body is empty; expected a JSON object") }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch let error as JSONParseError {
            throw APIError.invalid(nil, error.description)
        }
        guard case .object(let object) = value else {
            throw APIError.invalid(nil, "request body must be a JSON object, got \(value.typeName)")
        }
        let kept = object.members.filter { known.contains($0.key) }.map { ($0.key, $0.value) }
        let ignored = object.keys.filter { !known.contains($0) }
        return (try FieldReader(value: .object(JSONObject(kept)), param: nil, allowed: known), ignored)
    }

    static func sampling(_ r: FieldReader) throws -> SamplingParams {
        var s = SamplingParams()
        if let t = try r.double("temperature", in: 0...2) { s.temperature = Float(t) }
        if let p = try r.double("top_p", in: 0...1, lowerExclusive: true) { s.topP = Float(p) }
        if let k = try r.int("top_k", in: 0...Int(Int32.max)) { s.topK = k }
        if let p = try r.double("min_p", in: 0...1) { s.minP = Float(p) }
        if let p = try r.double("repeat_penalty", in: 0...10, lowerExclusive: true) { s.repeatPenalty = Float(p) }
        if let p = try r.double("presence_penalty", in: -2...2) { s.presencePenalty = Float(p) }
        if let p = try r.double("frequency_penalty", in: -2...2) { s.frequencyPenalty = Float(p) }
        if let v = r.value("seed") {
            // OpenAI seeds may be negative; the bit pattern seeds the generator.
            let seed = try FieldReader.int(v, param: "seed", in: Int(Int64.min)...Int(Int64.max))
            s.seed = UInt64(bitPattern: Int64(seed))
        }
        if let bias = r.value("logit_bias") {
            guard case .object(let o) = bias else {
                throw APIError.invalid("logit_bias", "logit_bias must be an object of token id -> bias, got \(bias.typeName)")
            }
            for (key, value) in o.members {
                guard let id = Int32(key), id >= 0 else {
                    throw APIError.invalid("logit_bias", "logit_bias keys must be token ids, got \"\(key)\"")
                }
                s.logitBias[id] = Float(try FieldReader.double(value, param: "logit_bias.\(key)", in: -100...100,
                                                               lowerExclusive: false))
            }
        }
        return s
    }

    static func stop(_ r: FieldReader) throws -> [String] {
        guard let v = r.value("stop") else { return [] }
        switch v {
        case .string(let s): return s.isEmpty ? [] : [s]
        case .array(let items):
            guard items.count <= 16 else { throw APIError.invalid("stop", "stop may hold at most 16 strings") }
            return try items.enumerated().map { try FieldReader.string($1, param: "stop[\($0)]") }.filter { !$0.isEmpty }
        default:
            throw APIError.invalid("stop", "stop must be a string or an array of strings, got \(v.typeName)")
        }
    }

    mutating func decodeLogprobs(_ r: FieldReader, legacy: Bool) throws {
        if legacy {
            // Completions: logprobs is the number of alternatives (0-5).
            if let k = try r.int("logprobs", in: 0...5) { logprobs = true; request.topLogprobs = k }
            return
        }
        logprobs = try r.bool("logprobs") ?? false
        let top = try r.int("top_logprobs", in: 0...20)
        if top != nil && !logprobs { throw APIError.invalid("top_logprobs", "top_logprobs needs logprobs: true") }
        if logprobs { request.topLogprobs = top ?? 0 }
    }

    mutating func decodeTools(_ r: FieldReader) throws {
        var useTools = true
        switch r.value("tool_choice") {
        case nil, .string("auto")?, .string("required")?: break
        case .string("none")?: useTools = false
        case .object?: break  // a named function: we let the model choose among the tools
        case let other?: throw APIError.invalid("tool_choice", "tool_choice must be none, auto, required or an object, got \(other.typeName)")
        }
        guard let tools = r.value("tools"), useTools else { return }
        guard case .array(let items) = tools else {
            throw APIError.invalid("tools", "tools must be an array of tool objects, got \(tools.typeName)")
        }
        for (i, item) in items.enumerated() {
            guard case .object(let o) = item, o["type"] == .string("function"), case .object(let f)? = o["function"],
                  case .string(let name)? = f["name"], !name.isEmpty else {
                throw APIError.invalid("tools[\(i)]", "tools[\(i)] must be {\"type\": \"function\", \"function\": {\"name\": ...}}")
            }
            request.tools.append(JSONWriter.string(item))
        }
        toolsActive = !request.tools.isEmpty
    }
}
