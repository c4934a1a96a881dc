import Foundation
import Tokenization

// The model's tool calls in its reply, in the Hermes / Qwen2.5 form its chat template asks
// for: `<tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>`, possibly several.
// Small models (Qwen2.5-Coder-0.5B) often answer with the bare object and no tags: a reply
// that is exactly one `{"name": string, "arguments": ...}` object is a call too.
enum ToolCallParser {
    static let open = "<tool_call>"
    static let close = "</tool_call>"

    /// The text before the first call and the calls; nil when the reply has no call, or a
    /// block is not a call (then the reply is plain content).
    static func parse(_ text: String) -> (content: String, calls: [ChatToolCall])? {
        guard let first = text.range(of: open) else { return bareCall(text).map { ("", [$0]) } }
        var calls: [ChatToolCall] = []
        var rest = text[first.lowerBound...]
        while let start = rest.range(of: open) {
            guard rest[..<start.lowerBound].allSatisfy(\.isWhitespace) || calls.isEmpty else { return nil }
            let afterOpen = rest[start.upperBound...]
            let end = afterOpen.range(of: close)
            guard let call = self.call(String(afterOpen[..<(end?.lowerBound ?? afterOpen.endIndex)])) else { return nil }
            calls.append(call)
            guard let end else { rest = ""; break }
            rest = afterOpen[end.upperBound...]
        }
        guard rest.allSatisfy(\.isWhitespace) else { return nil }
        return (String(text[..<first.lowerBound]), calls)
    }

    /// The whole reply as one untagged call object (both "name" and "arguments" present).
    private static func bareCall(_ text: String) -> ChatToolCall? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{"), let value = try? JSONParser.parse(Array(trimmed.utf8)),
              case .object(let o) = value, o["arguments"] != nil else { return nil }
        return call(trimmed)
    }

    private static func call(_ json: String) -> ChatToolCall? {
        guard let value = try? JSONParser.parse(Array(json.utf8)), case .object(let o) = value,
              case .string(let name)? = o["name"] else { return nil }
        let arguments: String
        switch o["arguments"] ?? o["parameters"] {
        case .string(let s)?: arguments = s
        case let v? : arguments = JSONWriter.string(v)
        case nil: arguments = "{}"
        }
        return ChatToolCall(id: newID(), name: name, arguments: arguments)
    }

    static func newID() -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return "call_" + String((0..<24).map { _ in letters.randomElement()! })
    }
}

// Streaming with tools: text before a `<tool_call>` is content and flows at once; a tail
// that could still become the marker is held back; from the marker on everything is kept
// for the parser at the end.
struct ToolCallFilter {
    private var held = ""
    private(set) var inCall = false
    private(set) var callText = ""
    private var sawContent = false

    mutating func append(_ text: String) -> String {
        if inCall { callText += text; return "" }
        held += text
        // A reply opening with "{" may be an untagged call: keep it all for the parser.
        if let firstVisible = held.first(where: { !$0.isWhitespace }), firstVisible == "{", !sawContent {
            callText = held
            held = ""
            inCall = true
            return ""
        }
        if held.contains(where: { !$0.isWhitespace }) { sawContent = true }
        if let r = held.range(of: ToolCallParser.open) {
            let content = String(held[..<r.lowerBound])
            callText = String(held[r.lowerBound...])
            held = ""
            inCall = true
            return content
        }
        // Keep the longest tail that is a prefix of the marker.
        var keep = 0
        for n in stride(from: min(ToolCallParser.open.count - 1, held.count), through: 1, by: -1)
            where ToolCallParser.open.hasPrefix(held.suffix(n)) {
            keep = n
            break
        }
        let out = String(held.dropLast(keep))
        held = String(held.suffix(keep))
        return out
    }

    /// Text still held back (at the end, when no call started).
    mutating func flush() -> String {
        defer { held = "" }
        return held
    }
}
