import Foundation
import XCTest
import API
import GGUF
import Generation
import HTTP
import Llama
import Tokenization
import TestSupport

// One real engine + HTTP server on 127.0.0.1 (ephemeral port) shared by the end-to-end
// tests: loading the model once keeps the target fast.
final class TestServer {
    let engine: Engine
    let server: HTTPServer
    var port: Int { server.port }

    static let defaultModel = NSHomeDirectory() + "/.cache/kvserve/SmolLM2-135M-Instruct.Q4_1.gguf"

    static var modelPath: String {
        ProcessInfo.processInfo.environment["KVSERVE_MODEL"] ?? defaultModel
    }

    // Test-only: each server is created once and its mutable log is guarded by logLock.
    nonisolated(unsafe) private static let result: Result<TestServer, Error> = Result { try TestServer(queueSize: 16) }
    // A second engine whose queue holds one job, for the 503 + Retry-After test.
    nonisolated(unsafe) private static let tinyQueueResult: Result<TestServer, Error> = Result { try TestServer(queueSize: 1) }

    // Fails the calling test (never skips) when the model is missing or does not load.
    static func shared(tinyQueue: Bool = false, file: StaticString = #filePath, line: UInt = #line) -> TestServer? {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            XCTFail("model not found at \(modelPath): run scripts/fetch-model.sh", file: file, line: line)
            return nil
        }
        switch tinyQueue ? tinyQueueResult : result {
        case .success(let server): return server
        case .failure(let error):
            XCTFail("test server failed to start: \(error)", file: file, line: line)
            return nil
        }
    }

    private let logLock = NSLock()
    private var logEntries: [HTTPLogEntry] = []

    // Waits (generously: the entry is written after the last byte) for a log entry.
    func logEntry(where match: (HTTPLogEntry) -> Bool, timeout: TimeInterval = 10) -> HTTPLogEntry? {
        let until = Date().addingTimeInterval(timeout)
        while Date() < until {
            if let entry = logLock.withLock({ logEntries.first(where: match) }) { return entry }
            usleep(10_000)
        }
        return nil
    }

    private init(queueSize: Int) throws {
        let file = try GGUFFile(path: TestServer.modelPath)
        let model = try LlamaModel(file: file, threads: 2)
        let tokenizer = try Tokenizer(gguf: file)
        let template = try ChatTemplate(gguf: file)
        var config = Engine.EngineConfig()
        config.modelName = "SmolLM2-135M-Instruct"
        config.modelIdentity = "api-tests"
        config.queueSize = queueSize
        // The 503 test needs its one running job to hold the worker: no batching on that server.
        if queueSize == 1 { config.maxBatch = 1 }
        engine = try Engine(model: model, tokenizer: tokenizer, template: template, config: config)
        let router = Router()
        APIServer(engine: engine).register(on: router)
        var http = HTTPServerConfig()
        http.port = 0
        server = HTTPServer(config: http) { request, responder in router.handle(request, responder) }
        server.onRequestLogged = { [unowned self] entry in
            self.logLock.withLock { self.logEntries.append(entry) }
        }
        try server.start()
    }

    struct Reply {
        var head: RawResponse
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        }
        var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
    }

    func call(_ method: String, _ path: String, _ body: String? = nil,
              headers: [(String, String)] = []) throws -> Reply {
        let response = try RawClient.exchange(port: port, method, path, body: body, headers: headers)
        return Reply(head: response, body: response.body)
    }
}

// Lines of an NDJSON body, or the data of SSE events, as dictionaries.
func jsonObject(_ bytes: [UInt8]) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
}
