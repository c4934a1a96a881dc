import Generation

// The decoded, validated body of POST /generate. Decoding is strict: unknown fields,
// wrong JSON types (a string "5", a float 5.5 or a boolean for an integer) and values out
// of range are 400 errors naming the field and the limit. Sampling settings that are not
// given stay nil so the Sampling module's defaults remain the one source of truth.
public struct GenerateBody: Equatable {
    public struct Message: Equatable {
        public var role: String
        public var content: String
    }

    public enum Prompt: Equatable {
        case text(String)       // raw prompt; special-token strings map to their ids
        case tokens([Int32])
        case messages([Message])
    }

    public static let defaultMaxTokens = 256
    public static let maxStopStrings = 16
    public static let roles = ["system", "user", "assistant"]
    static let fields = [
        "prompt", "messages", "max_tokens", "temperature", "top_k", "top_p", "min_p",
        "repeat_penalty", "seed", "stop", "ignore_eos", "stream", "session_id",
        "json_schema", "speculative",
        "model",  // sent by every OpenAI-style client; accepted and ignored (one model is served)
    ]

    public var prompt: Prompt
    public var maxTokens: Int
    public var temperature: Double?
    public var topK: Int?
    public var topP: Double?
    public var minP: Double?
    public var repeatPenalty: Double?
    public var seed: UInt64?
    public var stop: [String] = []
    public var ignoreEOS = false
    public var stream = false
    public var sessionID: String?
    /// Structured output: a JSON Schema every reply must validate against.
    public var jsonSchema: StructuredOutput?
    /// Speculative decoding for this request; nil = the server's setting.
    public var speculative: SpeculativeMode?

    public static func decode(_ body: [UInt8], contextLength: Int,
                              isValidSessionID: (String) -> Bool) throws -> GenerateBody {
        let r = try FieldReader(body: body, allowed: fields)
        var g = GenerateBody(prompt: try decodePrompt(r),
                             maxTokens: try r.int("max_tokens", in: 1...max(1, contextLength))
                                 ?? min(defaultMaxTokens, max(1, contextLength)))
        g.temperature = try r.double("temperature", in: 0...2)
        g.topK = try r.int("top_k", in: 0...Int(Int32.max))
        g.topP = try r.double("top_p", in: 0...1, lowerExclusive: true)
        g.minP = try r.double("min_p", in: 0...1)
        // An upper bound of 10 keeps the penalty meaningful; beyond it logits are just crushed.
        g.repeatPenalty = try r.double("repeat_penalty", in: 0...10, lowerExclusive: true)
        g.seed = try decodeSeed(r)
        g.stop = try decodeStop(r)
        g.ignoreEOS = try r.bool("ignore_eos") ?? false
        g.stream = try r.bool("stream") ?? false
        _ = try r.string("model")
        if let id = try r.string("session_id") {
            guard isValidSessionID(id) else {
                throw APIError.invalid("session_id", "session_id must be 1-128 characters of [A-Za-z0-9._-]")
            }
            g.sessionID = id
        }
        g.speculative = try r.speculativeMode()
        if let schema = r.value("json_schema") { g.jsonSchema = try StructuredOutput.jsonSchema(schema, param: "json_schema") }
        return g
    }

    private static func decodePrompt(_ r: FieldReader) throws -> Prompt {
        switch (r.value("prompt"), r.value("messages")) {
        case (nil, nil):
            throw APIError.invalid("prompt", "one of prompt or messages is required")
        case (_?, _?):
            throw APIError.invalid("messages", "give either prompt or messages, not both")
        case (let prompt?, nil):
            return try decodePromptValue(prompt)
        case (nil, let messages?):
            return .messages(try decodeMessages(messages))
        }
    }

    private static func decodePromptValue(_ v: JSONValue) throws -> Prompt {
        switch v {
        case .string(let s):
            guard !s.isEmpty else { throw APIError.invalid("prompt", "prompt must not be empty") }
            return .text(s)
        case .array(let items):
            guard !items.isEmpty else { throw APIError.invalid("prompt", "prompt must not be empty") }
            let ids = try items.enumerated().map { i, item in
                Int32(try FieldReader.int(item, param: "prompt[\(i)]", in: 0...Int(Int32.max)))
            }
            return .tokens(ids)
        default:
            throw APIError.invalid("prompt", "prompt must be a string or an array of token ids, got \(v.typeName)")
        }
    }

    private static func decodeMessages(_ v: JSONValue) throws -> [Message] {
        guard case .array(let items) = v else {
            throw APIError.invalid("messages", "messages must be an array of {role, content} objects, got \(v.typeName)")
        }
        guard !items.isEmpty else { throw APIError.invalid("messages", "messages must not be empty") }
        return try items.enumerated().map { i, item in
            let param = "messages[\(i)]"
            let m = try FieldReader(value: item, param: param, allowed: ["role", "content"])
            guard let role = try m.string("role") else { throw APIError.invalid("\(param).role", "\(param).role is required") }
            guard roles.contains(role) else {
                throw APIError.invalid("\(param).role", "\(param).role must be one of \(roles.joined(separator: ", ")), got \"\(role)\"")
            }
            guard let content = try m.string("content") else {
                throw APIError.invalid("\(param).content", "\(param).content is required")
            }
            return Message(role: role, content: content)
        }
    }

    // Seeds are full 64-bit unsigned values, so the literal is read directly.
    private static func decodeSeed(_ r: FieldReader) throws -> UInt64? {
        guard let v = r.value("seed") else { return nil }
        guard case .number(let n) = v, n.isInteger else {
            throw APIError.invalid("seed", "seed must be an integer, got \(v.typeName)")
        }
        guard let seed = UInt64(n.literal) else {
            throw APIError.invalid("seed", "seed must be between 0 and \(UInt64.max), got \(n.literal)")
        }
        return seed
    }

    private static func decodeStop(_ r: FieldReader) throws -> [String] {
        guard let v = r.value("stop") else { return [] }
        let list: [String]
        switch v {
        case .string(let s): list = [s]
        case .array(let items):
            guard items.count <= maxStopStrings else {
                throw APIError.invalid("stop", "stop may hold at most \(maxStopStrings) strings, got \(items.count)")
            }
            list = try items.enumerated().map { try FieldReader.string($1, param: "stop[\($0)]") }
        default:
            throw APIError.invalid("stop", "stop must be a string or an array of strings, got \(v.typeName)")
        }
        guard !list.contains(where: \.isEmpty) else { throw APIError.invalid("stop", "stop strings must not be empty") }
        return list
    }
}
