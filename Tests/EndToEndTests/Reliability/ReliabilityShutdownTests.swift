import Foundation
import XCTest

/// Issue 10, item 4: streams still running when `shutdown_grace_s` ends were cut without an
/// ending (curl exit 18, logged as client_gone), and a second signal did not force an exit.
final class ReliabilityShutdownTests: XCTestCase {
    private func startServer(grace: Int) throws -> ServerProcess {
        let server = ServerProcess(arguments: ["--model", try ServerProcess.modelPath(), "--port", "0",
                                               "--shutdown-grace-s", "\(grace)"])
        try server.start()
        return server
    }

    private func long(_ port: Int, _ path: String, _ json: String) -> Curl {
        Curl(["http://127.0.0.1:\(port)\(path)", "-H", "Content-Type: application/json", "-d", json])
    }

    func testSigtermEndsLongStreamsWithAFinalLineAndACompleteBody() throws {
        let server = try startServer(grace: 1)
        defer { server.signal(SIGKILL) }
        let native = long(server.port, "/generate",
                          #"{"prompt": "Count: 1, 2, 3,", "max_tokens": 4000, "ignore_eos": true, "temperature": 0, "stream": true}"#)
        let sse = Curl(["http://127.0.0.1:\(server.port)/generate", "-H", "Accept: text/event-stream", "-d",
                        #"{"prompt": "Once upon a time", "max_tokens": 4000, "ignore_eos": true, "stream": true}"#])
        let openAI = long(server.port, "/v1/chat/completions",
                          #"{"model": "m", "messages": [{"role": "user", "content": "Count to a thousand."}], "max_tokens": 4000, "ignore_eos": true, "stream": true}"#)
        let ollama = long(server.port, "/api/generate",
                          // Ollama has no ignore_eos: a greedy count runs far past the grace period.
                          #"{"model": "m", "raw": true, "prompt": "Count: 1, 2, 3, 4, 5, 6, 7, 8,", "options": {"num_predict": 4000, "temperature": 0}}"#)
        let clients = [native, sse, openAI, ollama]
        for client in clients { try client.start() }
        for client in clients {
            XCTAssertTrue(client.wait(timeout: 60) { $0.count > 200 }, "stream did not start: \(client.text.prefix(300))")
        }
        server.signal(SIGTERM)
        // Grace 1 s, then the endings are written; the process exits 0.
        XCTAssertEqual(server.waitForExit(timeout: 20), 0, server.log)
        for client in clients { _ = client.finish(timeout: 10) }
        // curl exits 0 only for a complete chunked body (18 = transfer closed with data outstanding).
        for client in clients { XCTAssertEqual(client.process.terminationStatus, 0, client.text.suffix(300).description) }

        let nativeLast = try XCTUnwrap(lastLine(native.text).flatMap(jsonObject))
        XCTAssertEqual(nativeLast["done"] as? Bool, true)
        XCTAssertEqual((nativeLast["error"] as? [String: Any])?["type"] as? String, "overloaded_error")
        XCTAssertTrue(((nativeLast["error"] as? [String: Any])?["message"] as? String ?? "").contains("shutting down"))

        let sseEvents = sse.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        let sseLast = try XCTUnwrap(sseEvents.last.flatMap { jsonObject(String($0.dropFirst("data: ".count))) })
        XCTAssertEqual(sseLast["done"] as? Bool, true, sse.text.suffix(300).description)
        XCTAssertNotNil(sseLast["error"])

        let openAIEvents = openAI.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertEqual(openAIEvents.last, "data: [DONE]")
        let openAIError = openAIEvents.dropLast().last.flatMap { jsonObject(String($0.dropFirst("data: ".count))) }
        XCTAssertEqual((openAIError?["error"] as? [String: Any])?["type"] as? String, "overloaded_error", openAI.text.suffix(300).description)

        let ollamaLast = try XCTUnwrap(lastLine(ollama.text).flatMap(jsonObject))
        XCTAssertEqual(ollamaLast["done"] as? Bool, true)
        XCTAssertNotNil(ollamaLast["error"], ollama.text.suffix(300).description)

        // Logged as stopped by the server, not as vanished clients.
        XCTAssertFalse(server.log.contains("client_gone"), server.log)
        XCTAssertTrue(server.log.contains("shutting down"), server.log)
    }

    func testSecondSignalForcesExit() throws {
        let server = try startServer(grace: 60)
        defer { server.signal(SIGKILL) }
        let stream = long(server.port, "/generate",
                          #"{"prompt": "Count: 1, 2, 3,", "max_tokens": 4000, "ignore_eos": true, "stream": true}"#)
        try stream.start()
        XCTAssertTrue(stream.wait(timeout: 60) { $0.contains("\"token\"") })
        server.signal(SIGTERM)
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertNil(server.waitForExit(timeout: 0.1), "exited before the grace period without a second signal")
        server.signal(SIGINT)
        XCTAssertEqual(server.waitForExit(timeout: 3), 1, server.log)
        XCTAssertTrue(server.log.contains("again: exiting now"), server.log)
        _ = stream.finish(timeout: 5)
    }

    private func lastLine(_ text: String) -> String? {
        text.split(separator: "\n").last.map(String.init)
    }
}
