import Foundation
import Generation
import Tokenization

// JSON shapes of the OpenAI answers (API reference: the chat completion object, the chat
// completion chunk object, the completion object).
enum OpenAIEncoding {
    static func finishReason(_ reason: FinishReason, toolCalls: Bool) -> JSONValue {
        if toolCalls { return .string("tool_calls") }
        switch reason {
        case .length: return .string("length")
        case .stop, .cancelled: return .string("stop")
        }
    }

    static func usage(prompt: Int, completion: Int, cached: Int) -> JSONValue {
        .object(JSONObject([
            ("prompt_tokens", .int(prompt)),
            ("completion_tokens", .int(completion)),
            ("total_tokens", .int(prompt + completion)),
            ("prompt_tokens_details", .object(JSONObject([("cached_tokens", .int(cached))]))),
        ]))
    }

    static func toolCalls(_ calls: [ChatToolCall], streaming: Bool) -> JSONValue {
        .array(calls.enumerated().map { i, call in
            var o = JSONObject()
            if streaming { o["index"] = .int(i) }
            o["id"] = .string(call.id)
            o["type"] = .string("function")
            o["function"] = .object(JSONObject([("name", .string(call.name)), ("arguments", .string(call.arguments))]))
            return .object(o)
        })
    }

    /// Chat: {"content": [{token, logprob, bytes, top_logprobs: [...]}]}.
    static func chatLogprobs(_ items: [TokenLogprob]) -> JSONValue {
        func entry(_ t: TokenLogprob) -> JSONObject {
            JSONObject([
                ("token", .string(String(decoding: t.bytes, as: UTF8.self))),
                ("logprob", .double(Double(t.logprob))),
                ("bytes", .array(t.bytes.map { .int(Int($0)) })),
            ])
        }
        return .object(JSONObject([("content", .array(items.map { t in
            var o = entry(t)
            o["top_logprobs"] = .array(t.top.map { .object(entry($0)) })
            return .object(o)
        })), ("refusal", .null)]))
    }

    /// Legacy completions: parallel arrays, `top_logprobs` as token -> logprob maps.
    static func completionLogprobs(_ items: [TokenLogprob], textOffset: Int) -> JSONValue {
        var offsets: [JSONValue] = []
        var offset = textOffset
        for t in items {
            offsets.append(.int(offset))
            offset += String(decoding: t.bytes, as: UTF8.self).count
        }
        return .object(JSONObject([
            ("tokens", .array(items.map { .string(String(decoding: $0.bytes, as: UTF8.self)) })),
            ("token_logprobs", .array(items.map { .double(Double($0.logprob)) })),
            ("top_logprobs", .array(items.map { t in
                var o = JSONObject()
                for alt in t.top { o[String(decoding: alt.bytes, as: UTF8.self)] = .double(Double(alt.logprob)) }
                return .object(o)
            })),
            ("text_offset", .array(offsets)),
        ]))
    }

    static func newID(_ prefix: String) -> String {
        prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}
