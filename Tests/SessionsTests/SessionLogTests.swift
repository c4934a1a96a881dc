import XCTest
import TestSupport
@testable import Sessions

final class SessionLogTests: XCTestCase {
    private let messages = [SessionMessage(role: "user", content: "hi <|im_end|> é"),
                            SessionMessage(role: "assistant", content: "hello")]

    /// Three turns on disk, then a "restart" (a new manager on the same directory).
    private func threeTurns(_ h: Harness) throws -> (cache: FakeCache?, path: String) {
        let m = try h.manager()
        try h.turn(m, id: "s", new: [1, 2, 3], reply: [4], messages: messages)
        try h.turn(m, id: "s", new: [5, 6], reply: [7, 8])
        try h.turn(m, id: "s", new: [9], reply: [10])
        let entry = try m.checkout(id: "s")
        defer { m.release(entry) }
        return (entry.cache, try XCTUnwrap(m.logPath(id: "s")))
    }

    func testRestartFindsSessionOnDiskAndRestoresItWithoutRecompute() throws {
        let h = Harness(stateDirectory: true)
        let (kept, _) = try threeTurns(h)
        let m = try h.manager()
        let info = try XCTUnwrap(m.status(id: "s"))
        XCTAssertFalse(info.inMemory)
        XCTAssertEqual(info.tokens, 10)
        let entry = try m.checkout(id: "s")
        XCTAssertEqual(entry.mode, .raw)
        XCTAssertEqual(entry.messages, messages)
        _ = try m.reserve(entry, tokens: 11)
        XCTAssertEqual(entry.cache?.rows, kept?.rows, "the restored cache equals the one kept in memory")
        XCTAssertEqual(entry.cache?.capacity, 11, "loaded into one allocation of the reserved size")
        XCTAssertEqual(entry.tokens, Array(1...10))
        m.release(entry)
        XCTAssertEqual(try h.turn(m, id: "s", new: [11]), 1)
    }

    func testLoadRunsOnTheLoadQueueAndTheTurnAsksAgain() throws {
        let h = Harness(stateDirectory: true)
        let (kept, _) = try threeTurns(h)
        let m = try h.manager()
        let entry = try m.checkout(id: "s")
        let done = DispatchSemaphore(value: 0)
        XCTAssertEqual(try m.reserve(entry, tokens: 11, loaded: { done.signal() }), .loading)
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(try m.reserve(entry, tokens: 11, loaded: { XCTFail("already loaded") }), .ready)
        XCTAssertEqual(entry.cache?.rows, kept?.rows)
        m.release(entry)
    }

    func testTruncatedLogKeepsLastCompleteTurnAndLogsReason() throws {
        let h = Harness(stateDirectory: true)
        let (_, path) = try threeTurns(h)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        try truncateFile(path, to: size - 5)  // a crash in the middle of writing turn 3
        let m = try h.manager()
        XCTAssertEqual(m.status(id: "s")?.tokens, 8, "turns 1 and 2 survive")
        XCTAssertTrue(h.logs.contains { $0.contains("session s") && $0.contains("partial record") }, "\(h.logs)")
        // The next turn overwrites the partial record; a later restart reads all of it cleanly.
        XCTAssertEqual(try h.turn(m, id: "s", new: [20]), 1)
        try h.assertCleanRestart(id: "s", tokens: 9)
    }

    func testFlippedKVByteIsReportedOnceAndTheLogCutToTheLastGoodTurn() throws {
        let h = Harness(stateDirectory: true)
        let (_, path) = try threeTurns(h)
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
        bytes[bytes.count - 6] ^= 0xFF  // inside the last record's KV bytes
        try bytes.write(to: URL(fileURLWithPath: path))
        let m = try h.manager()
        // Start-up reads history parts only, so the KV bytes (and the damage) are not read yet.
        XCTAssertEqual(m.status(id: "s")?.tokens, 10)
        XCTAssertThrowsError(try h.turn(m, id: "s", new: [11])) {
            XCTAssertEqual($0 as? SessionError, .damaged(id: "s", lostFromTurn: 3))
        }
        XCTAssertTrue(h.logs.contains { $0.contains("checksum mismatch") }, "\(h.logs)")
        XCTAssertEqual(m.status(id: "s")?.tokens, 8, "turns 1 and 2 remain")
        XCTAssertEqual(try h.turn(m, id: "s", new: [11]), 1, "the next turn continues from turn 2")
        try h.assertCleanRestart(id: "s", tokens: 9)  // reported once: the log was cut to its good part
    }

    func testFlippedByteInTheHistoryPartIsReportedToo() throws {
        let h = Harness(stateDirectory: true)
        let (_, path) = try threeTurns(h)
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
        let secondRecord = SessionLogLayout.recordOffsets([UInt8](bytes))[1]
        bytes[secondRecord + 8] ^= 0x01  // the historyStart of turn 2
        try bytes.write(to: URL(fileURLWithPath: path))
        let m = try h.manager()
        XCTAssertEqual(m.status(id: "s")?.tokens, 4, "turn 1 remains")
        XCTAssertThrowsError(try h.turn(m, id: "s", new: [11])) {
            XCTAssertEqual($0 as? SessionError, .damaged(id: "s", lostFromTurn: 2))
        }
        XCTAssertEqual(try h.turn(m, id: "s", new: [11]), 1)
    }

    func testRefusedLogAnswersTheSameUntilDeleted() throws {
        let h = Harness(stateDirectory: true)
        let (_, path) = try threeTurns(h)
        let m = try h.manager(identity: "model-B")
        let refusal = try XCTUnwrap(m.refusal(id: "s"))
        XCTAssertThrowsError(try m.checkout(id: "s")) { XCTAssertEqual($0 as? SessionError, refusal) }
        XCTAssertEqual(refusal.description.components(separatedBy: "cannot be used").count, 2, "said once: \(refusal)")
        try m.delete(id: "s")
        XCTAssertNil(m.refusal(id: "s"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertThrowsError(try m.delete(id: "s")) { XCTAssertEqual($0 as? SessionError, .notFound(id: "s")) }
    }

    func testLogFromAnotherModelIsRefused() throws {
        let h = Harness(stateDirectory: true)
        let (_, path) = try threeTurns(h)
        let m = try h.manager(identity: "model-B")
        XCTAssertNil(m.status(id: "s"))
        XCTAssertTrue(h.logs.contains { $0.contains("another model") }, "\(h.logs)")
        XCTAssertThrowsError(try m.checkout(id: "s")) { error in
            guard case .refused = error as? SessionError else { return XCTFail("\(error)") }
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "a refused log is left alone")
        try m.delete(id: "s")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    /// A log whose layout is one the cache converts (the same model's cache in another element
    /// type) loads; any other layout is refused with both layouts named.
    func testConvertibleLayoutLoadsOtherLayoutIsRefused() throws {
        let h = Harness(stateDirectory: true)
        let (kept, _) = try threeTurns(h)
        let converting = try h.manager(layout: "fake:2xf16", convertible: ["fake:2xf32"])
        let entry = try converting.checkout(id: "s")
        _ = try converting.reserve(entry, tokens: 11)
        XCTAssertEqual(entry.cache?.rows, kept?.rows)
        converting.release(entry)

        let other = try h.manager(layout: "fake:3xf16", convertible: ["fake:3xf32"])
        XCTAssertNil(other.status(id: "s"))
        XCTAssertThrowsError(try other.checkout(id: "s")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("'fake:2xf32'") && text.contains("'fake:3xf16'"), text)
        }
    }

    func testTruncatedHeaderIsRefused() throws {
        let h = Harness(stateDirectory: true)
        let (_, path) = try threeTurns(h)
        try truncateFile(path, to: 10)
        let m = try h.manager()
        XCTAssertNil(m.status(id: "s"))
        XCTAssertTrue(h.logs.contains { $0.contains("truncated header") }, "\(h.logs)")
    }

    func testRecordRoundTrip() {
        let record = TurnRecord(historyStart: 4, tokens: [1, -2, 49151], kvStart: 3, kvTokenCount: 2,
                                kvBytes: [1, 2, 3], mode: .messages, messages: messages)
        let payload = record.encodePayload()
        XCTAssertEqual(TurnRecord.decodePayload(payload, includeKV: true), record)
        XCTAssertEqual(TurnRecord.decodePayload(payload, includeKV: false)?.kvBytes, [])
        XCTAssertNil(TurnRecord.decodePayload(Array(payload.prefix(10)), includeKV: true))
    }

    private func truncateFile(_ path: String, to size: Int) throws {
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
    }
}
