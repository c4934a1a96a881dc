import Foundation
import XCTest
@testable import HTTP

/// Interop with a real client: `curl -N` must print the first streamed line while the
/// handler still holds back the last one.
final class HTTPCurlTests: XCTestCase {
    func testCurlNoBufferSeesFirstLineLive() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else {
            throw XCTSkip("/usr/bin/curl not installed; the raw-socket streaming test covers the server side")
        }
        let release = DispatchSemaphore(value: 0)
        let (server, _) = try startServer(self) { _, responder in
            responder.startStream(status: 200, headers: [("Content-Type", "application/x-ndjson")])
            responder.write("{\"token\": \"first\"}\n")
            DispatchQueue.global().async {
                _ = release.wait(timeout: .now() + 10)
                responder.write("{\"token\": \"last\"}\n")
                responder.finish()
            }
        }
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sN", "--max-time", "20", "-X", "POST", "-d", "{}", "http://127.0.0.1:\(server.port)/generate"]
        let pipe = Pipe()
        curl.standardOutput = pipe
        try curl.run()
        let firstLine = pipe.fileHandleForReading.availableData  // blocks until curl prints something
        XCTAssertEqual(String(decoding: firstLine, as: UTF8.self), "{\"token\": \"first\"}\n")
        release.signal()
        let rest = pipe.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        XCTAssertEqual(String(decoding: rest, as: UTF8.self), "{\"token\": \"last\"}\n")
        XCTAssertEqual(curl.terminationStatus, 0)
    }
}
