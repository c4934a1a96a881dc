import Foundation
import Generation

// One Responses API response being produced, and its JSON ("The response object").
// @unchecked: built by the request's handler, then filled by the engine's events of that one job,
// which arrive one at a time on the worker; read again only after the final event.
final class ResponseState: @unchecked Sendable {
    let id: String
    let messageID = OpenAIEncoding.newID("msg_")
    let createdAt = Int(Date().timeIntervalSince1970)
    let body: ResponsesBody?
    let model: String
    /// Reply text so far (worker thread only).
    var text = ""

    init(id: String, body: ResponsesBody?, model: String) {
        self.id = id
        self.body = body
        self.model = model
    }

    func message(status: String, content: [JSONValue]) -> JSONValue {
        .object(JSONObject([
            ("type", .string("message")), ("id", .string(messageID)), ("status", .string(status)),
            ("role", .string("assistant")), ("content", .array(content)),
        ]))
    }

    /// In progress while `result` is nil.
    func object(_ result: GenerationResult?) -> JSONValue {
        object(finish: result?.finishReason, usage: result.map {
            Self.usage(input: $0.usage.promptTokens, cached: $0.usage.cachedTokens, output: $0.usage.completionTokens)
        } ?? .null)
    }

    func object(finish: FinishReason?, usage: JSONValue) -> JSONValue {
        var status = "in_progress"
        var output: [JSONValue] = []
        var incomplete = JSONValue.null
        if let finish {
            status = finish == .length ? "incomplete" : "completed"
            if finish == .length {
                incomplete = .object(JSONObject([("reason", .string("max_output_tokens"))]))
            }
            let part = JSONValue.object(JSONObject([("type", .string("output_text")), ("text", .string(text)),
                                                    ("annotations", .array([]))]))
            output = [message(status: "completed", content: [part])]
        }
        var o = JSONObject([
            ("id", .string(id)), ("object", .string("response")), ("created_at", .int(createdAt)),
            ("status", .string(status)), ("error", .null), ("incomplete_details", incomplete),
            ("instructions", body?.instructions.map { .string($0) } ?? .null), ("model", .string(model)),
            ("output", .array(output)), ("parallel_tool_calls", .bool(false)),
            ("previous_response_id", body?.previousID.map { .string($0) } ?? .null),
            ("store", .bool(body?.store ?? true)),
            ("temperature", .double(Double(body?.sampling.temperature ?? 0.8))),
            ("top_p", .double(Double(body?.sampling.topP ?? 0.95))),
            ("max_output_tokens", body?.maxOutputTokens.map { .int($0) } ?? .null),
            ("text", .object(JSONObject([("format", .object(JSONObject([("type", .string("text"))])))]))),
            ("tool_choice", .string("auto")), ("tools", .array([])), ("metadata", .object(JSONObject())),
        ])
        o["usage"] = usage
        return .object(o)
    }

    static func usage(input: Int, cached: Int, output: Int) -> JSONValue {
        .object(JSONObject([
            ("input_tokens", .int(input)),
            ("input_tokens_details", .object(JSONObject([("cached_tokens", .int(cached))]))),
            ("output_tokens", .int(output)),
            ("output_tokens_details", .object(JSONObject([("reasoning_tokens", .int(0))]))),
            ("total_tokens", .int(input + output)),
        ]))
    }

    /// A stored response as GET returns it, rebuilt from its session (which survives restarts).
    static func stored(id: String, model: String, reply: String, info: SessionInfo) -> JSONValue {
        let state = ResponseState(id: id, body: nil, model: model)
        state.text = reply
        guard case .object(var o) = state.object(finish: .stop, usage: .null) else { return .null }
        o["created_at"] = .int(Int(info.lastUsed.timeIntervalSince1970))
        return .object(o)
    }
}
