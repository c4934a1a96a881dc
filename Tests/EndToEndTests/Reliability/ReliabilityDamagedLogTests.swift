import Foundation
import XCTest
import TestSupport

/// Fault: a session log damaged on disk. The loss is reported to the client, never silent;
/// a log refused at start-up answers the same on GET and POST until it is DELETEd.
final class ReliabilityDamagedLogTests: XCTestCase {
    func testFlippedByteIsReportedToTheClientThenTheSessionContinues() throws {
        let dir = try ReliabilityClient.temporaryDirectory(self)
        var server = try ReliabilityClient.startServer(stateDir: dir)
        for text in ["Name a color.", "Name a fruit.", "Name a tree."] {
            XCTAssertEqual(try ReliabilityClient.turn(server.port, session: "d", text).status, 200)
        }
        ReliabilityClient.stop(server)

        let path = dir + "/d.kvlog"
        var bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path)))
        let middle = bytes.count / 2
        bytes[middle] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let damagedTurn = SessionLogLayout.recordOffsets(bytes).lastIndex { $0 <= middle }! + 1

        server = try ReliabilityClient.startServer(stateDir: dir)
        let reply = try ReliabilityClient.turn(server.port, session: "d", "Name a bird.")
        XCTAssertEqual(reply.status, 409, reply.body)
        XCTAssertEqual(reply.error?["type"] as? String, "conflict_error")
        let message = reply.error?["message"] as? String ?? ""
        XCTAssertTrue(message.contains("lost its history from turn \(damagedTurn)"), message)
        XCTAssertFalse(message.contains(dir), message)

        // Told once; the session now holds the turns before the damage and continues from them.
        let next = try ReliabilityClient.turn(server.port, session: "d", "Name a bird.")
        XCTAssertEqual(next.status, 200, next.body)
        let cached = (next.json?["usage"] as? [String: Any])?["cached_tokens"] as? Int ?? -1
        if damagedTurn > 1 { XCTAssertGreaterThan(cached, 0, "the good turns are reused") }
        ReliabilityClient.stop(server)
    }

    func testRefusedLogAnswersConsistentlyOnGetPostAndDelete() throws {
        let dir = try ReliabilityClient.temporaryDirectory(self)
        try Data("not a session log at all".utf8).write(to: URL(fileURLWithPath: dir + "/bad.kvlog"))
        let server = try ReliabilityClient.startServer(stateDir: dir)
        let get = try ReliabilityClient.request(server.port, "GET", "/sessions/bad")
        let post = try ReliabilityClient.turn(server.port, session: "bad", "Hello.")
        for reply in [get, post] {
            XCTAssertEqual(reply.status, 409, reply.body)
            XCTAssertEqual(reply.error?["type"] as? String, "conflict_error", reply.body)
        }
        let message = get.error?["message"] as? String ?? ""
        XCTAssertEqual(post.error?["message"] as? String, message, "the same answer on GET and POST")
        XCTAssertEqual(message.components(separatedBy: "cannot be used").count, 2, "said once: \(message)")
        XCTAssertTrue(message.contains("DELETE"), message)
        XCTAssertEqual(try ReliabilityClient.request(server.port, "DELETE", "/sessions/bad").status, 200)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/bad.kvlog"))
        XCTAssertEqual(try ReliabilityClient.request(server.port, "GET", "/sessions/bad").status, 404)
        XCTAssertEqual(try ReliabilityClient.turn(server.port, session: "bad", "Hello.").status, 200, "a fresh session")
        ReliabilityClient.stop(server)
    }
}
