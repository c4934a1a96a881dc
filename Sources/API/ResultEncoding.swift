import Foundation
import Generation

// JSON shapes of the /generate answers. The streaming "done" line carries exactly the
// fields of the non-streaming answer, so one function builds both.
enum ResultEncoding {
    static func result(_ r: GenerationResult, done: Bool = false) -> JSONValue {
        var o = JSONObject()
        if done { o["done"] = .bool(true) }
        o["text"] = .string(r.text)
        o["tokens"] = .array(r.tokens.map { .int(Int($0)) })
        o["finish_reason"] = .string(r.finishReason.rawValue)
        if let id = r.sessionID { o["session_id"] = .string(id) }
        o["usage"] = .object(JSONObject([
            ("prompt_tokens", .int(r.usage.promptTokens)),
            ("cached_tokens", .int(r.usage.cachedTokens)),
            ("completion_tokens", .int(r.usage.completionTokens)),
        ]))
        o["timings"] = .object(JSONObject([
            ("queue_ms", rounded(r.timings.queueMs)),
            ("prefill_ms", rounded(r.timings.prefillMs)),
            ("decode_ms", rounded(r.timings.decodeMs)),
            ("prefill_tokens_per_s", rounded(r.timings.prefillTokensPerSecond)),
            ("decode_tokens_per_s", rounded(r.timings.decodeTokensPerSecond)),
        ]))
        return .object(o)
    }

    static func token(id: Int32, text: String) -> JSONValue {
        .object(JSONObject([("token", .object(JSONObject([("id", .int(Int(id))), ("text", .string(text))])))]))
    }

    static func session(_ s: SessionInfo) -> JSONValue {
        .object(JSONObject([
            ("id", .string(s.id)),
            ("tokens", .int(s.tokens)),
            ("kv_bytes", .int(s.kvBytes)),
            ("kv_cache_type", .string(s.kvCacheType)),
            ("kv_bytes_per_token", .int(s.kvBytesPerToken)),
            ("location", .string(s.location)),
            ("last_used", .string(iso8601(s.lastUsed))),
        ]))
    }

    // Microsecond resolution is far below the clock noise of a timing; keeps lines short.
    private static func rounded(_ x: Double) -> JSONValue {
        .double((x * 1000).rounded() / 1000)
    }

    // A formatter per call: cheap at /sessions rates and avoids sharing one across threads.
    static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}
