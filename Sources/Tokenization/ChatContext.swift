import Jinja

/// The variables transformers' `apply_chat_template` gives a template: `messages`, `tools`
/// (None when there are none), `documents` (None), `add_generation_prompt`, and the named
/// special tokens. Messages take OpenAI's shape: an assistant's `tool_calls` are
/// `{"id", "type": "function", "function": {"name", "arguments"}}` with `arguments` parsed
/// to a mapping, as transformers documents it and as templates such as Qwen 2.5's expect
/// (`arguments | tojson`); arguments that are not a JSON object stay a string.
enum ChatContext {
    static func variables(messages: [ChatMessage], tools: [String], addGenerationPrompt: Bool,
                          tokens: [String: String]) throws -> [String: Value] {
        var context: [String: Value] = [
            "messages": .list(messages.map(message)),
            "tools": tools.isEmpty ? .none : .list(try tools.enumerated().map { try tool($0.offset, $0.element) }),
            "documents": .none,
            "add_generation_prompt": .bool(addGenerationPrompt),
        ]
        // Special-token text is the model's own, so it counts as template text.
        for (name, text) in tokens { context[name] = .string(text, literal: true) }
        return context
    }

    private static func message(_ m: ChatMessage) -> Value {
        var d = OrderedDict()
        d["role"] = .string(m.role)
        d["content"] = .string(m.content)
        if !m.toolCalls.isEmpty {
            d["tool_calls"] = .list(m.toolCalls.map { call in
                var arguments = Value.string(call.arguments)
                if case .dict(let object)? = try? JSONParser.parse(call.arguments) { arguments = .dict(object) }
                return .dict(OrderedDict([
                    ("id", .string(call.id)), ("type", .string("function")),
                    ("function", .dict(OrderedDict([("name", .string(call.name)), ("arguments", arguments)]))),
                ]))
            })
        }
        if let id = m.toolCallID { d["tool_call_id"] = .string(id) }
        if let name = m.name { d["name"] = .string(name) }
        return .dict(d)
    }

    private static func tool(_ index: Int, _ json: String) throws -> Value {
        do {
            let value = try JSONParser.parse(json)
            guard case .dict = value else { throw TokenizationError.invalidTool(index: index, "not a JSON object") }
            return value
        } catch let failure as JSONParser.Failure {
            throw TokenizationError.invalidTool(index: index, failure.description)
        }
    }
}
