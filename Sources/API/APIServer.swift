import Foundation
import Generation
import HTTP
import Telemetry

// The routes of kvserve's HTTP API over one Engine. The only place HTTP meets Generation:
// bodies are decoded and validated here, engine errors are mapped to statuses here
// (APIError+Generation.swift), and events are encoded as JSON, NDJSON or SSE here.
// @unchecked: the vars (`apiKeys`, `debugLog`, `replicaID`) are set once before serving and only
// read afterwards; everything else is immutable or thread-safe (Engine, ServerMetrics).
public final class APIServer: @unchecked Sendable {
    public let engine: Engine
    /// nil: no `/metrics` route and nothing recorded.
    public let metrics: ServerMetrics?
    /// Empty: no key needed. Set before serving.
    public var apiKeys = APIKeys([])
    /// Debug-level log lines (fields a client sent that we ignore).
    public var debugLog: (String) -> Void = { _ in }
    /// This replica's name (setting `replica_id`), reported by /health.
    public var replicaID = ""
    let v1 = V1Router()
    let created = Date()
    /// Large /tokenize texts, two at a time (see `tokenize`).
    let largeTokenizations = AdmissionQueue(limit: 2)

    public init(engine: Engine, metrics: ServerMetrics? = ServerMetrics()) {
        self.engine = engine
        self.metrics = metrics
        registerV1()
    }

    // The router's closures keep this object alive, so `APIServer(engine:).register(on:)`
    // without holding the APIServer is fine.
    public func register(on router: Router) {
        let generate = GenerateHandler(engine: engine, metrics: metrics)
        router.add(method: "POST", path: "/generate") { generate.handle($0, $1, owner: self.owner($0)) }
        router.add(method: "GET", path: "/health") { self.health($0, $1) }
        router.add(method: "POST", path: "/tokenize") { self.tokenize($0, $1) }
        router.add(method: "POST", path: "/detokenize") { self.detokenize($0, $1) }
        router.add(method: "GET", path: "/sessions") { self.listSessions($0, $1) }
        router.add(method: "GET", path: "/sessions/{id}") { self.getSession($0, $1) }
        router.add(method: "DELETE", path: "/sessions/{id}") { self.deleteSession($0, $1) }
        router.add(method: "GET", path: "/") { WebPage.serve($0, $1) }
        if let metrics {
            let route = MetricsRoute(engine: engine, metrics: metrics)
            router.add(method: "GET", path: "/metrics") { route.handle($0, $1) }
        }
        registerOllama(on: router)
    }

    func health(_ request: HTTPRequest, _ responder: HTTPResponder) {
        APIServer.respond(responder, status: 200, json: .object(JSONObject([
            ("status", .string("ok")),
            ("model", .string(engine.modelName)),
            ("architecture", .string(engine.architecture)),
            ("quantization", .string(engine.quantization)),
            ("context_length", .int(engine.contextLength)),
            ("replica", .string(replicaID)),
            ("pid", .int(Int(ProcessInfo.processInfo.processIdentifier))),
        ])))
    }

    // {"text": string, "special": bool = true} -> {"tokens": [ids]}. The ids are written
    // straight into the answer: as a tree of JSON values (~40 bytes per id) 16 concurrent 1 MB
    // texts of digits raised RSS by ~600 MB. A text still takes ~14 times its size while it is
    // tokenized, so texts from 64 KiB on run two at a time (`largeTokenizations`): what they
    // hold at once does not grow with the number of cores or connections.
    func tokenize(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let engine = self.engine
        let work: @Sendable () -> Void = {
            do {
                let r = try FieldReader(body: request.body, allowed: ["text", "special"])
                guard let text = try r.string("text") else { throw APIError.invalid("text", "text is required") }
                let special = try r.bool("special") ?? true
                var body = Array(#"{"tokens":"#.utf8)
                JSONWriter.writeArray(engine.tokenize(text, special: special), into: &body)
                body.append(UInt8(ascii: "}"))
                responder.respond(status: 200, headers: [("Content-Type", "application/json")], body: body)
            } catch {
                APIServer.respond(responder, error: APIError(any: error))
            }
        }
        if request.body.count < 64 << 10 { work() } else { largeTokenizations.run(work) }
    }

    // {"tokens": [ids]} -> {"text": string}; an id outside the vocabulary is a 400 from the engine.
    func detokenize(_ request: HTTPRequest, _ responder: HTTPResponder) {
        APIServer.answer(responder) {
            let r = try FieldReader(body: request.body, allowed: ["tokens"])
            guard let value = r.value("tokens") else { throw APIError.invalid("tokens", "tokens is required") }
            guard case .array(let items) = value else {
                throw APIError.invalid("tokens", "tokens must be an array of token ids, got \(value.typeName)")
            }
            let ids = try items.enumerated().map { i, item in
                Int32(try FieldReader.int(item, param: "tokens[\(i)]", in: 0...Int(Int32.max)))
            }
            return .object(JSONObject([("text", .string(try engine.detokenize(ids)))]))
        }
    }

    func listSessions(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let owner = owner(request)
        let list = engine.listSessions().compactMap { s -> SessionInfo? in
            var s = s
            guard let id = owner.unscoped(s.id) else { return nil }
            s.id = id
            return s
        }.sorted { $0.id < $1.id }
        APIServer.respond(responder, status: 200,
                          json: .object(JSONObject([("sessions", .array(list.map(ResultEncoding.session)))])))
    }

    func getSession(_ request: HTTPRequest, _ responder: HTTPResponder) {
        APIServer.answer(responder) {
            let id = try APIServer.sessionID(request)
            try engine.checkSessionUsable(owner(request).scoped(id))
            guard var info = engine.session(owner(request).scoped(id)) else { throw GenerationError.sessionNotFound(id: id) }
            info.id = id
            return ResultEncoding.session(info)
        }
    }

    func deleteSession(_ request: HTTPRequest, _ responder: HTTPResponder) {
        APIServer.answer(responder) {
            let id = try APIServer.sessionID(request)
            try engine.deleteSession(owner(request).scoped(id))
            return .object(JSONObject([("id", .string(id)), ("deleted", .bool(true))]))
        }
    }

    // Validated before the engine (and its state directory) ever sees it: `../x` is a 400.
    static func sessionID(_ request: HTTPRequest) throws -> String {
        let id = request.pathParameters["id"] ?? ""
        guard Engine.isValidSessionID(id) else {
            throw APIError.invalid("id", "session id must be 1-128 characters of [A-Za-z0-9._-]")
        }
        return id
    }

    static func answer(_ responder: HTTPResponder, _ body: () throws -> JSONValue) {
        do {
            respond(responder, status: 200, json: try body())
        } catch {
            respond(responder, error: APIError(any: error))
        }
    }

    static func respond(_ responder: HTTPResponder, status: Int, json: JSONValue, headers: [(String, String)] = []) {
        responder.respond(status: status, headers: [("Content-Type", "application/json")] + headers,
                          body: JSONWriter.bytes(json))
    }

    static func respond(_ responder: HTTPResponder, error: APIError) {
        let error = responder.shown(error)
        respond(responder, status: error.status, json: error.envelope, headers: error.headers)
    }
}
