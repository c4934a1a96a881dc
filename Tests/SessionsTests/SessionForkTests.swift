import XCTest
@testable import Sessions

/// A fork (Responses' previous_response_id) starts with everything its source holds; both
/// then continue independently, in memory and from disk after a restart.
final class SessionForkTests: XCTestCase {
    func testBranchesContinueIndependentlyAndSurviveRestart() throws {
        let h = Harness(stateDirectory: true)
        let m = try h.manager()
        try h.turn(m, id: "root", new: [1, 2, 3], reply: [4])
        try m.fork(from: "root", to: "a")
        try m.fork(from: "root", to: "b")
        XCTAssertEqual(try h.turn(m, id: "a", new: [10], reply: [11]), 1, "only the new token is prefilled")
        XCTAssertEqual(try h.turn(m, id: "b", new: [20, 21], reply: [22]), 2)
        XCTAssertEqual(m.status(id: "root")?.tokens, 4, "the source is untouched")
        XCTAssertEqual(m.status(id: "a")?.tokens, 6)
        XCTAssertEqual(m.status(id: "b")?.tokens, 7)

        let restarted = try h.manager()
        XCTAssertEqual(restarted.status(id: "a")?.tokens, 6)
        XCTAssertEqual(restarted.status(id: "b")?.tokens, 7)
        XCTAssertEqual(try h.turn(restarted, id: "a", new: [12], reply: []), 1, "the branch's cache came back from disk")
        try restarted.fork(from: "b", to: "c")  // a fork of a session that lives only on disk
        XCTAssertEqual(try h.turn(restarted, id: "c", new: [30], reply: []), 1)
        try restarted.delete(id: "b")
        XCTAssertEqual(restarted.status(id: "c")?.tokens, 8, "deleting the source keeps the branch")
    }

    func testForkErrors() throws {
        let h = Harness(stateDirectory: false)
        let m = try h.manager()
        XCTAssertThrowsError(try m.fork(from: "missing", to: "x")) { XCTAssertEqual($0 as? SessionError, .notFound(id: "missing")) }
        try h.turn(m, id: "s", new: [1])
        XCTAssertThrowsError(try m.fork(from: "s", to: "../x")) { XCTAssertEqual($0 as? SessionError, .invalidID("../x")) }
        try m.fork(from: "s", to: "t")
        XCTAssertThrowsError(try m.fork(from: "s", to: "t"), "the target exists")
        let busy = try m.checkout(id: "s")
        XCTAssertThrowsError(try m.fork(from: "s", to: "u")) { XCTAssertEqual($0 as? SessionError, .busy(id: "s")) }
        m.release(busy)
        XCTAssertEqual(m.messages(id: "t"), [])
        XCTAssertNil(m.messages(id: "nope"))
    }
}
