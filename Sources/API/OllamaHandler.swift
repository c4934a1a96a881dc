import Foundation
import Generation
import HTTP
import Sampling
import Tokenization

// Ollama's API (github.com/ollama/ollama docs/api.md) so tools built for Ollama work:
// /api/chat and /api/generate stream NDJSON by default (`"stream": false` for one object),
// settings come in `options`; /api/tags, /api/show and /api/version describe the one model.
// Errors use kvserve's envelope. Unknown fields are ignored (logged at debug).
extension APIServer {
    func registerOllama(on router: Router) {
        router.add(method: "POST", path: "/api/chat") { self.ollamaGenerate($0, $1, chat: true) }
        router.add(method: "POST", path: "/api/generate") { self.ollamaGenerate($0, $1, chat: false) }
        router.add(method: "GET", path: "/api/tags") { self.ollamaTags($0, $1) }
        router.add(method: "POST", path: "/api/show") { self.ollamaShow($0, $1) }
        router.add(method: "GET", path: "/api/version") { _, responder in
            APIServer.respond(responder, status: 200, json: .object(JSONObject([("version", .string("0.9.0"))])))
        }
    }

    func ollamaGenerate(_ request: HTTPRequest, _ responder: HTTPResponder, chat: Bool) {
        let decoded: (GenerationRequest, Bool)
        do {
            decoded = try OllamaBody.decode(request.body, chat: chat, contextLength: engine.contextLength) { self.debugLog($0) }
        } catch {
            return APIServer.respond(responder, error: APIError(any: error))
        }
        let (generation, stream) = decoded
        let reply = OllamaReply(model: engine.modelName, chat: chat)
        let out = stream ? FrameStream(responder: responder, contentType: "application/x-ndjson") : nil
        do {
            let ticket = try engine.submit(generation) { event in
                switch event {
                case .token(_, let text):
                    reply.text += text
                    if let out, !text.isEmpty { out.send(FrameStream.ndjson(reply.chunk(text))) }
                case .finished(let result):
                    let last = reply.final(result, includeText: out == nil)
                    if let out { out.send(FrameStream.ndjson(last)); out.finish() } else {
                        APIServer.respond(responder, status: 200, json: last)
                    }
                case .failed(let error):
                    if let out { out.send(FrameStream.ndjson(responder.shown(APIError(error)).finalEnvelope)); out.finish() } else {
                        APIServer.respond(responder, error: APIError(error))
                    }
                }
            }
            if let out { out.start(ticket: ticket) } else { responder.onClientGone { ticket.cancel() } }
        } catch {
            APIServer.respond(responder, error: APIError(any: error))
        }
    }

    private var ollamaDetails: JSONValue {
        .object(JSONObject([
            ("parent_model", .string("")), ("format", .string("gguf")), ("family", .string("")),
            ("families", .array([])), ("parameter_size", .string("")), ("quantization_level", .string("")),
        ]))
    }

    func ollamaTags(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let model = JSONValue.object(JSONObject([
            ("name", .string(engine.modelName)), ("model", .string(engine.modelName)),
            ("modified_at", .string(ResultEncoding.iso8601(created))), ("size", .int(0)),
            ("digest", .string("")), ("details", ollamaDetails),
        ]))
        APIServer.respond(responder, status: 200, json: .object(JSONObject([("models", .array([model]))])))
    }

    func ollamaShow(_ request: HTTPRequest, _ responder: HTTPResponder) {
        APIServer.answer(responder) {
            let (r, _) = try OpenAIBody.lenientReader(request.body, known: ["model", "name", "verbose"])
            _ = try r.string("model") ?? r.string("name")
            var capabilities: [JSONValue] = [.string("completion")]
            if engine.supportsTools { capabilities.append(.string("tools")) }
            return .object(JSONObject([
                ("modelfile", .string("")), ("parameters", .string("")), ("template", .string("")),
                ("details", ollamaDetails),
                ("model_info", .object(JSONObject([("kvserve.context_length", .int(engine.contextLength))]))),
                ("capabilities", .array(capabilities)),
                ("modified_at", .string(ResultEncoding.iso8601(created))),
            ]))
        }
    }
}

// One /api/chat or /api/generate answer in Ollama's shapes.
// @unchecked: `text` is appended by the engine's events of one job, one at a time on the worker.
final class OllamaReply: @unchecked Sendable {
    let model: String
    let chat: Bool
    var text = ""

    init(model: String, chat: Bool) {
        self.model = model
        self.chat = chat
    }

    private func head(_ content: String, done: Bool) -> JSONObject {
        var o = JSONObject([("model", .string(model)), ("created_at", .string(ResultEncoding.iso8601(Date())))])
        if chat {
            o["message"] = .object(JSONObject([("role", .string("assistant")), ("content", .string(content))]))
        } else {
            o["response"] = .string(content)
        }
        o["done"] = .bool(done)
        return o
    }

    func chunk(_ text: String) -> JSONValue { .object(head(text, done: false)) }

    /// Durations are nanoseconds, as Ollama reports them.
    func final(_ result: GenerationResult, includeText: Bool) -> JSONValue {
        var o = head(includeText ? text : "", done: true)
        let ns: (Double) -> JSONValue = { .int(Int(($0 * 1_000_000).rounded())) }
        let t = result.timings
        o["done_reason"] = .string(result.finishReason == .length ? "length" : "stop")
        o["total_duration"] = ns(t.queueMs + t.prefillMs + t.decodeMs)
        o["load_duration"] = .int(0)
        o["prompt_eval_count"] = .int(result.usage.promptTokens)
        o["prompt_eval_duration"] = ns(t.prefillMs)
        o["eval_count"] = .int(result.usage.completionTokens)
        o["eval_duration"] = ns(t.decodeMs)
        return .object(o)
    }
}
