import Generation
import Tokenization

// OpenAI chat messages to ChatMessage: content as a string or an array of text parts,
// `developer` as `system`, assistant `tool_calls` and `role: tool` results kept for the
// template.
enum OpenAIMessages {
    static let roles = ["system", "developer", "user", "assistant", "tool"]

    static func decode(_ value: JSONValue) throws -> [ChatMessage] {
        guard case .array(let items) = value else {
            throw APIError.invalid("messages", "messages must be an array of message objects, got \(value.typeName)")
        }
        guard !items.isEmpty else { throw APIError.invalid("messages", "messages must not be empty") }
        return try items.enumerated().map { try message($1, param: "messages[\($0)]") }
    }

    static func message(_ value: JSONValue, param: String) throws -> ChatMessage {
        let (m, _) = try OpenAIBody.lenientReader(JSONWriter.bytes(value), known: ["role", "content", "name", "tool_calls", "tool_call_id"])
        guard let role = try m.string("role") else { throw APIError.invalid("\(param).role", "\(param).role is required") }
        guard roles.contains(role) else {
            throw APIError.invalid("\(param).role", "\(param).role must be one of \(roles.joined(separator: ", ")), got \"\(role)\"")
        }
        let calls = try toolCalls(m.value("tool_calls"), param: "\(param).tool_calls")
        let content = try text(m.value("content"), param: "\(param).content")
        guard content != nil || !calls.isEmpty else {
            throw APIError.invalid("\(param).content", "\(param).content is required")
        }
        return ChatMessage(role: role == "developer" ? "system" : role, content: content ?? "", toolCalls: calls,
                           toolCallID: try m.string("tool_call_id"), name: try m.string("name"))
    }

    /// A string, or the text of an array of `{"type": "text", "text": ...}` parts joined.
    static func text(_ value: JSONValue?, param: String) throws -> String? {
        switch value {
        case nil: return nil
        case .string(let s)?: return s
        case .array(let parts)?:
            return try parts.enumerated().map { i, part -> String in
                guard case .object(let o) = part, case .string(let type)? = o["type"],
                      ["text", "input_text", "output_text"].contains(type), case .string(let text)? = o["text"] else {
                    throw APIError.invalid("\(param)[\(i)]", "\(param)[\(i)] must be a text part {\"type\": \"text\", \"text\": ...}; only text is supported")
                }
                return text
            }.joined()
        case let other?:
            throw APIError.invalid(param, "\(param) must be a string or an array of text parts, got \(other.typeName)")
        }
    }

    static func toolCalls(_ value: JSONValue?, param: String) throws -> [ChatToolCall] {
        guard let value else { return [] }
        guard case .array(let items) = value else { throw APIError.invalid(param, "\(param) must be an array") }
        return try items.enumerated().map { i, item in
            guard case .object(let o) = item, case .object(let f)? = o["function"], case .string(let name)? = f["name"] else {
                throw APIError.invalid("\(param)[\(i)]", "\(param)[\(i)] must be {\"id\", \"type\": \"function\", \"function\": {\"name\", \"arguments\"}}")
            }
            var arguments = "{}"
            switch f["arguments"] {
            case .string(let s)?: arguments = s
            case let v? where v != .null: arguments = JSONWriter.string(v)
            default: break
            }
            let id: String
            if case .string(let s)? = o["id"] { id = s } else { id = "call_\(i)" }
            return ChatToolCall(id: id, name: name, arguments: arguments)
        }
    }

    /// /v1/completions' prompt: a string, an array of one string, or an array of token ids.
    static func prompt(_ value: JSONValue?) throws -> GenerationRequest.Input {
        switch value {
        case nil: throw APIError.invalid("prompt", "prompt is required")
        case .string(let s)?:
            guard !s.isEmpty else { throw APIError.invalid("prompt", "prompt must not be empty") }
            return .text(s)
        case .array(let items)? where items.count == 1:
            if case .string(let s) = items[0] { return try prompt(.string(s)) }
            fallthrough
        case .array(let items)?:
            guard !items.isEmpty else { throw APIError.invalid("prompt", "prompt must not be empty") }
            return .tokens(try items.enumerated().map { i, item in
                guard case .number = item else {
                    throw APIError.invalid("prompt", "prompt must be a string, one string in an array, or token ids")
                }
                return Int32(try FieldReader.int(item, param: "prompt[\(i)]", in: 0...Int(Int32.max)))
            })
        case let other?:
            throw APIError.invalid("prompt", "prompt must be a string or an array of token ids, got \(other.typeName)")
        }
    }
}
