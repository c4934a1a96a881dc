import Grammar
import Generation
import Sampling
import Tokenization

// The decoded body of POST /v1/responses (OpenAI API reference, "Create a model response").
struct ResponsesBody {
    static let fields = [
        "model", "input", "instructions", "previous_response_id", "store", "max_output_tokens", "temperature",
        "top_p", "stream", "text", "user", "metadata", "top_k", "min_p", "repeat_penalty", "seed",
    ]

    var messages: [ChatMessage]
    var instructions: String?
    var previousID: String?
    var store = true
    var maxOutputTokens: Int?
    var sampling = SamplingParams()
    /// Structured output from `text.format` (json_object / json_schema).
    var constraint: CompiledSchema?
    var stream = false
    var model: String?
    var ignored: [String] = []

    static func decode(_ bytes: [UInt8], contextLength: Int) throws -> ResponsesBody {
        let (r, ignored) = try OpenAIBody.lenientReader(bytes, known: fields)
        guard let input = r.value("input") else { throw APIError.invalid("input", "input is required") }
        var body = ResponsesBody(messages: try inputMessages(input))
        body.ignored = ignored
        body.model = try r.string("model")
        body.instructions = try r.string("instructions")
        if let instructions = body.instructions, !instructions.isEmpty {
            body.messages.insert(ChatMessage(role: "system", content: instructions), at: 0)
        }
        body.previousID = try r.string("previous_response_id")
        body.store = try r.bool("store") ?? true
        body.maxOutputTokens = try r.int("max_output_tokens", in: 1...max(1, contextLength))
        body.sampling = try OpenAIBody.sampling(r)
        body.stream = try r.bool("stream") ?? false
        _ = try r.string("user")
        if let text = r.value("text") {
            let t = try OpenAIBody.lenientReader(JSONWriter.bytes(text), known: ["format"]).0
            if let format = t.value("format") {
                body.constraint = try StructuredOutput.textFormat(format)?.compiled
            }
        }
        return body
    }

    /// A string (one user message) or message items `{"role", "content"}` (optionally with
    /// `"type": "message"`), content a string or input_text parts.
    static func inputMessages(_ input: JSONValue) throws -> [ChatMessage] {
        switch input {
        case .string(let s):
            guard !s.isEmpty else { throw APIError.invalid("input", "input must not be empty") }
            return [ChatMessage(role: "user", content: s)]
        case .array(let items):
            guard !items.isEmpty else { throw APIError.invalid("input", "input must not be empty") }
            return try items.enumerated().map { i, item in
                let param = "input[\(i)]"
                guard case .object(let o) = item else { throw APIError.invalid(param, "\(param) must be a message object") }
                if let type = o["type"], type != .string("message") {
                    throw APIError.invalid("\(param).type", "\(param): only message items are supported")
                }
                var plain = JSONObject()
                for (key, value) in o.members where key == "role" || key == "content" { plain[key] = value }
                let m = try OpenAIMessages.message(.object(plain), param: param)
                guard ["system", "user", "assistant"].contains(m.role) else {
                    throw APIError.invalid("\(param).role", "\(param).role must be system, developer, user or assistant")
                }
                return m
            }
        default:
            throw APIError.invalid("input", "input must be a string or an array of message items, got \(input.typeName)")
        }
    }
}
