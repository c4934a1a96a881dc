import Foundation
import Generation
import Tokenization

// The state of one OpenAI request's n choices while the engine runs them: text, logprobs,
// tool-call filtering, and the final results. Events arrive on the engine's worker thread
// one at a time, so no lock is needed.
// @unchecked: filled by one job's events, one at a time on the worker (see above).
final class ChoiceRun: @unchecked Sendable {
    struct Choice {
        var text = ""
        var logprobs: [TokenLogprob] = []
        var filter = ToolCallFilter()
        var result: GenerationResult?
        var started = false
    }

    let id: String
    let created = Int(Date().timeIntervalSince1970)
    let model: String
    let legacy: Bool
    let body: OpenAIBody
    var choices: [Choice]
    var failed = false

    init(body: OpenAIBody, legacy: Bool, model: String) {
        self.body = body
        self.legacy = legacy
        self.model = model
        id = OpenAIEncoding.newID(legacy ? "cmpl-" : "chatcmpl-")
        choices = Array(repeating: Choice(), count: body.request.n)
    }

    var allFinished: Bool { choices.allSatisfy { $0.result != nil } }

    /// Text and tool calls of a finished choice.
    func final(_ i: Int) -> (content: String, calls: [ChatToolCall]) {
        let text = choices[i].text
        if body.toolsActive, let parsed = ToolCallParser.parse(text) { return parsed }
        return (text, [])
    }

    func usage() -> JSONValue {
        let results = choices.compactMap(\.result)
        return OpenAIEncoding.usage(prompt: results.first?.usage.promptTokens ?? 0,
                                    completion: results.reduce(0) { $0 + $1.usage.completionTokens },
                                    cached: results.first?.usage.cachedTokens ?? 0)
    }

    /// The whole answer (non-streaming).
    func response() -> JSONValue {
        let items: [JSONValue] = choices.indices.map { i in
            let c = choices[i]
            let (content, calls) = final(i)
            var o = JSONObject()
            o["index"] = .int(i)
            if legacy {
                o["text"] = .string(content)
                o["logprobs"] = body.logprobs ? OpenAIEncoding.completionLogprobs(c.logprobs, textOffset: 0) : .null
            } else {
                var message = JSONObject([("role", .string("assistant")),
                                          ("content", calls.isEmpty || !content.isEmpty ? .string(content) : .null)])
                if !calls.isEmpty { message["tool_calls"] = OpenAIEncoding.toolCalls(calls, streaming: false) }
                message["refusal"] = .null
                o["message"] = .object(message)
                o["logprobs"] = body.logprobs ? OpenAIEncoding.chatLogprobs(c.logprobs) : .null
            }
            o["finish_reason"] = OpenAIEncoding.finishReason(c.result?.finishReason ?? .stop, toolCalls: !calls.isEmpty)
            return .object(o)
        }
        return .object(JSONObject([
            ("id", .string(id)), ("object", .string(legacy ? "text_completion" : "chat.completion")),
            ("created", .int(created)), ("model", .string(model)), ("system_fingerprint", .null),
            ("choices", .array(items)), ("usage", usage()),
        ]))
    }

    /// One streamed chunk with the given choices.
    func chunk(_ items: [JSONValue], usage: JSONValue? = nil) -> JSONValue {
        var o = JSONObject([
            ("id", .string(id)), ("object", .string(legacy ? "text_completion" : "chat.completion.chunk")),
            ("created", .int(created)), ("model", .string(model)), ("system_fingerprint", .null),
            ("choices", .array(items)),
        ])
        if let usage { o["usage"] = usage } else if body.includeUsage { o["usage"] = .null }
        return .object(o)
    }

    /// A streamed choice item: a delta (chat) or a text piece (completions).
    func item(_ i: Int, content: String?, calls: [ChatToolCall] = [], role: Bool = false,
              logprobs: [TokenLogprob]? = nil, finish: JSONValue = .null) -> JSONValue {
        var o = JSONObject([("index", .int(i))])
        if legacy {
            o["text"] = .string(content ?? "")
            o["logprobs"] = logprobs.map { OpenAIEncoding.completionLogprobs($0, textOffset: choices[i].text.count) } ?? .null
        } else {
            var delta = JSONObject()
            if role { delta["role"] = .string("assistant") }
            if let content { delta["content"] = .string(content) }
            if !calls.isEmpty { delta["tool_calls"] = OpenAIEncoding.toolCalls(calls, streaming: true) }
            o["delta"] = .object(delta)
            o["logprobs"] = logprobs.map(OpenAIEncoding.chatLogprobs) ?? .null
        }
        o["finish_reason"] = finish
        return .object(o)
    }
}
