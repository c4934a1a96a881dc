import Foundation
import XCTest

/// The real PyPI clients (`openai`, `ollama`; pinned in scripts/tests/requirements.txt, which
/// .ci/run installs into .build/venv-clients) against the real server binary. The checks
/// live in scripts/tests/test_clients.py; this test starts and restarts the server around it.
final class ClientCompatibilityTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let keys = "test-key-a,test-key-b"

    private func python() throws -> String {
        let path = Self.root.appendingPathComponent(".build/venv-clients/bin/python").path
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("no client venv at \(path): python3 -m venv .build/venv-clients && "
                + ".build/venv-clients/bin/pip install -r scripts/tests/requirements.txt (.ci/run does this)")
            throw CocoaError(.fileNoSuchFile)
        }
        return path
    }

    private func runScript(_ arguments: [String], server: ServerProcess) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try python())
        process.arguments = [Self.root.appendingPathComponent("scripts/tests/test_clients.py").path] + arguments
        let output = OutputCollector()
        process.standardOutput = output.pipe
        process.standardError = output.pipe
        try process.run()
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(process.terminationStatus, 0, "\(arguments[0]) failed:\n\(output.text)\nserver log tail:\n"
            + String(server.log.suffix(3000)))
    }

    private func start(model: String, stateDir: String) throws -> ServerProcess {
        let server = ServerProcess(arguments: ["--model", model, "--port", "0", "--state-dir", stateDir,
                                               "--api-keys", Self.keys, "--log-level", "debug"])
        try server.start()
        return server
    }

    func testOpenAIAndOllamaClientsAcrossARestart() throws {
        let dir = NSTemporaryDirectory() + "kvserve-clients-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let model = try ServerProcess.modelPath()
        let first = try start(model: model, stateDir: dir + "/state")
        try runScript(["main", String(first.port), dir + "/chain.json"], server: first)
        first.signal(SIGTERM)
        XCTAssertEqual(first.waitForExit(timeout: 30), 0)
        let second = try start(model: model, stateDir: dir + "/state")
        try runScript(["restart", String(second.port), dir + "/chain.json"], server: second)
        XCTAssertFalse(second.log.contains("test-key-a"), "an API key was logged")
        second.signal(SIGTERM)
        _ = second.waitForExit(timeout: 30)
    }

    /// Needs a template with tools: Qwen2.5-Coder-0.5B (KVSERVE_MODEL_QWEN).
    func testToolCallsWithQwen() throws {
        let path = ProcessInfo.processInfo.environment["KVSERVE_MODEL_QWEN"]
            ?? NSHomeDirectory() + "/.cache/kvserve/Qwen2.5-Coder-0.5B-Instruct.gguf"
        guard FileManager.default.fileExists(atPath: path) else {
            return XCTFail("Qwen model missing at \(path): run scripts/fetch-model.sh qwen2.5-coder-0.5b")
        }
        let server = try start(model: path, stateDir: "")
        try runScript(["tools", String(server.port)], server: server)
        server.signal(SIGTERM)
        _ = server.waitForExit(timeout: 30)
    }
}
