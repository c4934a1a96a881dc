import XCTest
@testable import API
import Generation

// The one table from engine errors to HTTP status and envelope.
final class APIErrorMappingTests: XCTestCase {
    func testEachGenerationErrorMapsToItsStatus() {
        let cases: [(GenerationError, Int, String, String?)] = [
            (.invalidRequest(param: "tokens", message: "bad id"), 400, "invalid_request_error", "tokens"),
            (.contextOverflow(param: "max_tokens", needed: 9000, limit: 8192), 400, "invalid_request_error", "max_tokens"),
            (.budgetExceeded(needed: 10, budget: 5), 400, "invalid_request_error", "max_tokens"),
            (.queueFull(retryAfterSeconds: 3), 503, "overloaded_error", nil),
            (.sessionBusy(id: "a"), 409, "conflict_error", "session_id"),
            (.sessionNotFound(id: "a"), 404, "not_found_error", "session_id"),
            (.shuttingDown, 503, "overloaded_error", nil),
            (.internalError("boom"), 500, "server_error", nil),
        ]
        for (error, status, type, param) in cases {
            let api = APIError(error)
            XCTAssertEqual(api.status, status, "\(error)")
            XCTAssertEqual(api.type, type, "\(error)")
            XCTAssertEqual(api.param, param, "\(error)")
        }
    }

    func testMessagesCarryTheNumbers() {
        XCTAssertTrue(APIError(.contextOverflow(param: "max_tokens", needed: 9000, limit: 8192)).message.contains("9000"))
        XCTAssertTrue(APIError(.contextOverflow(param: "max_tokens", needed: 9000, limit: 8192)).message.contains("8192"))
        XCTAssertTrue(APIError(.budgetExceeded(needed: 123, budget: 45)).message.contains("123"))
        XCTAssertTrue(APIError(.budgetExceeded(needed: 123, budget: 45)).message.contains("45"))
    }

    func testQueueFullSetsRetryAfter() {
        let api = APIError(.queueFull(retryAfterSeconds: 7))
        XCTAssertEqual(api.headers.first { $0.0 == "Retry-After" }?.1, "7")
    }

    func testEnvelopeShape() throws {
        let text = JSONWriter.string(APIError.invalid("top_p", "top_p must be > 0").envelope)
        XCTAssertEqual(text, #"{"error":{"type":"invalid_request_error","message":"top_p must be > 0","param":"top_p"}}"#)
        let noParam = JSONWriter.string(APIError(.shuttingDown).envelope)
        XCTAssertTrue(noParam.hasSuffix(#""param":null}}"#))
    }
}
