import Foundation
import Logging
import XCTest
@testable import App
@testable import HTTP

final class LogLineTests: XCTestCase {
    private let entry = HTTPLogEntry(method: "POST", path: "/generate", status: 400, duration: 0.0123, bytes: 97,
                                     remoteAddress: "127.0.0.1:5000",
                                     fields: ["error": "max_tokens must be \"positive\"", "session_id": "chat-1"],
                                     clientGone: false, requestID: "req-42")

    func testJSONAccessLineParsesAndCarriesRequestIdReasonAndSession() throws {
        let fields = AccessLog.metadata(entry).merging(AccessLog.details(entry)) { $1 }
        let line = LineLogHandler.jsonLine(time: "2026-01-01T00:00:00.000Z", level: .warning,
                                           message: AccessLog.message(entry), fields: fields)
        XCTAssertFalse(line.contains("\n"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["request_id"] as? String, "req-42")
        XCTAssertEqual(object["error"] as? String, "max_tokens must be \"positive\"")
        XCTAssertEqual(object["session_id"] as? String, "chat-1")
        XCTAssertEqual(object["status"] as? Int, 400)
        XCTAssertEqual(object["duration_ms"] as? Double, 12.3)
        XCTAssertEqual(object["level"] as? String, "warning")
        XCTAssertEqual(object["message"] as? String, "POST /generate 400 12.3ms 97B")
    }

    func testTextAccessLineQuotesValuesWithSpaces() {
        let line = LineLogHandler.textLine(time: "T", level: .warning, message: AccessLog.message(entry),
                                           fields: AccessLog.metadata(entry))
        XCTAssertEqual(line, #"T WARNING POST /generate 400 12.3ms 97B error="max_tokens must be \"positive\"" remote=127.0.0.1:5000 request_id=req-42 session_id=chat-1"#)
    }

    func testHandlerHonoursLevelAndWritesWholeLines() throws {
        let lines = Lines()
        var logger = Logger(label: "test") { _ in LineLogHandler(level: .info, format: .json, sink: lines.add) }
        logger[metadataKey: "request_id"] = "r1"
        logger.debug("hidden")
        logger.info("shown", metadata: ["n": .stringConvertible(3)])
        XCTAssertEqual(lines.all.count, 1)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines.all[0].utf8)) as? [String: Any])
        XCTAssertEqual(object["request_id"] as? String, "r1")
        XCTAssertEqual(object["n"] as? Int, 3)
        XCTAssertNotNil(object["time"] as? String)
    }

    func testRequestIDsFromClientsAreKeptOnlyWhenSane() {
        XCTAssertEqual(RequestID.accept("abc-123_x.y:z"), "abc-123_x.y:z")
        for bad in ["", "has space", "new\nline", "quote\"", String(repeating: "a", count: 129), "é"] {
            let id = RequestID.accept(bad)
            XCTAssertNotEqual(id, bad)
            XCTAssertTrue(id.count == 16 && id.allSatisfy(\.isHexDigit), id)
        }
        XCTAssertNotEqual(RequestID.make(), RequestID.make())
    }

    func testReasonComesFromTheErrorEnvelope() {
        XCTAssertEqual(HTTPLogEntry.reason(fromErrorBody: Array(#"{"error": {"type": "x", "message": "bad seed"}}"#.utf8)), "bad seed")
        XCTAssertNil(HTTPLogEntry.reason(fromErrorBody: Array(#"{"text": "fine"}"#.utf8)))
        XCTAssertNil(HTTPLogEntry.reason(fromErrorBody: Array("not json".utf8)))
    }
}

private final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    func add(_ line: String) { lock.withLock { lines.append(line) } }
}
