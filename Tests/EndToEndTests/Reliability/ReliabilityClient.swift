import Foundation
import XCTest

/// What the reliability tests need around a server: requests with their status, the server's
/// resident memory, and a temporary state directory.
enum ReliabilityClient {
    struct Reply {
        var status: Int
        var body: String
        var json: [String: Any]? { jsonObject(body) }
        var error: [String: Any]? { json?["error"] as? [String: Any] }
    }

    static func request(_ port: Int, _ method: String, _ path: String, json: String? = nil) throws -> Reply {
        var arguments = ["-X", method, "http://127.0.0.1:\(port)\(path)", "-w", "\n%{http_code}"]
        if let json { arguments += ["-H", "Content-Type: application/json", "-d", json] }
        let output = try Curl.run(arguments)
        guard let cut = output.lastIndex(of: "\n"), let status = Int(output[output.index(after: cut)...]) else {
            throw NSError(domain: "ReliabilityClient", code: 1, userInfo: [NSLocalizedDescriptionKey: "no status in \(output)"])
        }
        return Reply(status: status, body: String(output[..<cut]))
    }

    static func turn(_ port: Int, session: String, _ text: String, maxTokens: Int = 4) throws -> Reply {
        try request(port, "POST", "/generate", json: #"{"session_id": "\#(session)", "messages": [{"role": "user", "content": "\#(text)"}], "max_tokens": \#(maxTokens), "temperature": 0}"#)
    }

    /// VmRSS of a process, in bytes (from /proc/PID/status).
    static func residentBytes(pid: Int32) -> Int? { statusBytes(pid: pid, "VmRSS:") }

    /// VmHWM of a process: its peak resident memory so far, in bytes (no sample can miss it).
    static func peakResidentBytes(pid: Int32) -> Int? { statusBytes(pid: pid, "VmHWM:") }

    private static func statusBytes(pid: Int32, _ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kb * 1024
    }

    static func temporaryDirectory(_ test: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "kvserve-reliability-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    static func startServer(stateDir: String, extra: [String] = []) throws -> ServerProcess {
        let server = ServerProcess(arguments: ["--model", try ServerProcess.modelPath(), "--port", "0",
                                               "--state-dir", stateDir] + extra)
        try server.start()
        return server
    }

    static func stop(_ server: ServerProcess) {
        server.signal(SIGTERM)
        XCTAssertEqual(server.waitForExit(timeout: 30), 0, server.log)
    }
}
