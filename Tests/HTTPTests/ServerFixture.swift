import Foundation
import XCTest
@testable import HTTP
import TestSupport

/// Collects log entries from the server's hook, thread-safely.
final class LogBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [HTTPLogEntry] = []

    func add(_ entry: HTTPLogEntry) { lock.withLock { stored.append(entry) } }
    var entries: [HTTPLogEntry] { lock.withLock { stored } }
    /// Counted under the lock: `entries.count` in a release build read the count after the
    /// unlock without holding the array (ThreadSanitizer reported the race with `add`).
    var count: Int { lock.withLock { stored.count } }
}

/// Starts a server on 127.0.0.1, ephemeral port; stops it when the test ends.
func startServer(_ test: XCTestCase, config: HTTPServerConfig = HTTPServerConfig(),
                 handler: @escaping (HTTPRequest, HTTPResponder) -> Void) throws -> (HTTPServer, LogBox) {
    var config = config
    config.port = 0
    let server = HTTPServer(config: config, handler: handler)
    let logs = LogBox()
    server.onRequestLogged = { logs.add($0) }
    try server.start()
    test.addTeardownBlock {
        let done = DispatchSemaphore(value: 0)
        server.shutdown(deadline: 0.5) { done.signal() }
        done.wait()
    }
    return (server, logs)
}

/// Echoes method, path and body, so tests can tell requests apart.
func echoHandler(_ request: HTTPRequest, _ responder: HTTPResponder) {
    let text = "\(request.method) \(request.path) \(String(decoding: request.body, as: UTF8.self))"
    responder.respond(status: 200, headers: [("Content-Type", "text/plain")], body: Array(text.utf8))
}

/// Polls `condition` until true or `seconds` pass; generous for a loaded 2-core machine.
func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

extension RawResponse {
    /// The JSON error envelope's `type`, if the body is one.
    var errorType: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return nil }
        return error["type"] as? String
    }
}
