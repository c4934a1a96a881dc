import Foundation
import XCTest
import HTTP
@testable import API
import Generation

// Issue 10, item 6: one error vocabulary. Every status the server's code can answer with an
// error maps to exactly one type, through the one table both layers use.
final class ErrorVocabularyTests: XCTestCase {
    /// Error statuses written as literals anywhere in Sources (parser rejects, HTTP errors,
    /// APIError constructions).
    private func statusesInSources() throws -> Set<Int> {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")
        let pattern = try NSRegularExpression(pattern: #"status: ([45][0-9][0-9])\b"#)
        var found = Set<Int>()
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift", let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text), let status = Int(text[range]) { found.insert(status) }
            }
        }
        return found
    }

    func testEveryStatusInTheSourcesHasOneTypeInTheTable() throws {
        let statuses = try statusesInSources()
        XCTAssertTrue(statuses.isSuperset(of: [400, 404, 405, 408, 409, 413, 431, 500, 503, 505]), "\(statuses.sorted())")
        for status in statuses {
            XCTAssertNotNil(ErrorTable.types[status], "status \(status) is sent but not in ErrorTable")
        }
        XCTAssertEqual(ErrorTable.types[507], "insufficient_storage_error")
        let types = Array(ErrorTable.types.values)
        XCTAssertEqual(Set(types).count, types.count, "two statuses share a type")
    }

    func testHTTPLayerAndAPIUseTheSameTypes() {
        for (status, type) in ErrorTable.types {
            XCTAssertEqual(HTTPErrorBody.type(forStatus: status), type)
            XCTAssertEqual(APIError(status: status, message: "m", param: nil).type, type)
        }
        // The README's documented spelling, not the HTTP layer's old `not_found`/`unavailable`.
        XCTAssertEqual(ErrorTable.types[404], "not_found_error")
        XCTAssertEqual(ErrorTable.types[503], "overloaded_error")
        XCTAssertEqual(ErrorTable.types[413], "request_too_large_error")
    }

    func testEveryGenerationErrorTakesItsTypeFromTheTable() {
        let all: [GenerationError] = [
            .invalidRequest(param: nil, message: "x"), .contextOverflow(param: "prompt", needed: 2, limit: 1),
            .budgetExceeded(needed: 2, budget: 1), .queueFull(retryAfterSeconds: 1), .sessionBusy(id: "a"),
            .sessionNotFound(id: "a"), .shuttingDown, .internalError("x"),
        ]
        for error in all {
            let api = APIError(error)
            XCTAssertEqual(api.type, ErrorTable.types[api.status], "\(error)")
        }
    }

    final class Recorder: HTTPResponderLike {
        var status = 0
        var body: [UInt8] = []
        let requestID = "4f1c2a9e0b7d3c55"
        var logFields: [String: String] = [:]
        func respond(status: Int, headers: [(String, String)], body: [UInt8]) {
            self.status = status
            self.body = body
        }
    }

    func testA500ShowsTheRequestIDAndLogsTheDetail() throws {
        let recorder = Recorder()
        struct Disk: Error, CustomStringConvertible { var description: String { "open /var/lib/kvserve/s.kvlog: errno 28" } }
        APIServer.respondOpenAI(recorder, error: APIError(any: Disk()))
        XCTAssertEqual(recorder.status, 500)
        let text = String(decoding: recorder.body, as: UTF8.self)
        XCTAssertFalse(text.contains("/var/lib"), text)
        XCTAssertFalse(text.contains("errno"), text)
        XCTAssertTrue(text.contains(recorder.requestID), text)
        XCTAssertTrue(text.contains("\"server_error\""), text)
        XCTAssertEqual(recorder.logFields["error"], "open /var/lib/kvserve/s.kvlog: errno 28")
    }

    func testNon500ErrorsKeepTheirMessage() {
        let recorder = Recorder()
        APIServer.respondOpenAI(recorder, error: APIError.invalid("top_p", "top_p must be > 0"))
        XCTAssertTrue(String(decoding: recorder.body, as: UTF8.self).contains("top_p must be > 0"))
    }
}
