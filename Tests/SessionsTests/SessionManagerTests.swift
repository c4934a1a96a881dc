import XCTest
@testable import Sessions

final class SessionManagerTests: XCTestCase {
    func testEachTurnPrefillsOnlyItsNewTokens() throws {
        let h = Harness(stateDirectory: false)
        let m = try h.manager()
        XCTAssertEqual(try h.turn(m, id: "s", new: [1, 2, 3], reply: [4, 5]), 3)
        XCTAssertEqual(try h.turn(m, id: "s", new: [6, 7], reply: [8]), 2)
        XCTAssertEqual(m.status(id: "s")?.tokens, 8)
        XCTAssertEqual(m.status(id: "s")?.inMemory, true)
    }

    func testBusySessionIsRefusedAndOthersRun() throws {
        let h = Harness(stateDirectory: false)
        let m = try h.manager()
        let entry = try m.checkout(id: "s")
        XCTAssertThrowsError(try m.checkout(id: "s")) { XCTAssertEqual($0 as? SessionError, .busy(id: "s")) }
        XCTAssertNoThrow(try h.turn(m, id: "other", new: [1]))
        m.release(entry)
        XCTAssertNoThrow(try h.turn(m, id: "s", new: [1]))
    }

    func testDelete() throws {
        let h = Harness(stateDirectory: true)
        let m = try h.manager()
        try h.turn(m, id: "s", new: [1, 2])
        let path = try XCTUnwrap(m.logPath(id: "s"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        try m.delete(id: "s")
        XCTAssertNil(m.status(id: "s"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertThrowsError(try m.delete(id: "s")) { XCTAssertEqual($0 as? SessionError, .notFound(id: "s")) }
        let busy = try m.checkout(id: "b")
        try h.turn(m, id: "c", new: [1])
        XCTAssertThrowsError(try m.delete(id: "b"))  // never committed: unknown
        m.release(busy)
    }

    func testDeleteBusySessionIsRefused() throws {
        let h = Harness(stateDirectory: false)
        let m = try h.manager()
        try h.turn(m, id: "s", new: [1])
        let entry = try m.checkout(id: "s")
        XCTAssertThrowsError(try m.delete(id: "s")) { XCTAssertEqual($0 as? SessionError, .busy(id: "s")) }
        m.release(entry)
    }

    func testEvictionIsLeastRecentlyUsedFirstAndDropsWithoutStateDirectory() throws {
        let h = Harness(stateDirectory: false)
        let m = try h.manager(budgetTokens: 35)
        for (i, id) in ["a", "b", "c"].enumerated() {
            h.now += 1
            try h.turn(m, id: id, new: Array(repeating: Int32(i), count: 10))
        }
        h.now += 1
        try h.turn(m, id: "a", new: [1])  // a becomes most recent; a now holds 11 tokens
        h.now += 1
        try h.turn(m, id: "d", new: Array(repeating: 5, count: 8))  // needs room: b goes first
        XCTAssertNil(m.status(id: "b"))
        XCTAssertNotNil(m.status(id: "c"))
        XCTAssertNotNil(m.status(id: "a"))
        XCTAssertEqual(m.evictionCount, 1)
        h.now += 1
        try h.turn(m, id: "e", new: Array(repeating: 6, count: 10))  // then c
        XCTAssertNil(m.status(id: "c"))
        XCTAssertEqual(m.evictionCount, 2)
        XCTAssertLessThanOrEqual(m.usedBytes, 35 * FakeCache.bytesPerToken)
        XCTAssertTrue(h.logs.contains { $0.contains("evicted session b") })
    }

    func testEvictionSpillsToDiskWithStateDirectory() throws {
        let h = Harness(stateDirectory: true)
        let m = try h.manager(budgetTokens: 20)
        try h.turn(m, id: "a", new: Array(1...10))
        h.now += 1
        try h.turn(m, id: "b", new: Array(1...15))
        let a = try XCTUnwrap(m.status(id: "a"))
        XCTAssertFalse(a.inMemory)
        XCTAssertEqual(a.tokens, 10)
        h.now += 1
        // Coming back restores a from its log: only the new token is prefilled.
        XCTAssertEqual(try h.turn(m, id: "a", new: [11]), 1)
        XCTAssertEqual(m.status(id: "a")?.inMemory, true)
        XCTAssertEqual(m.status(id: "b")?.inMemory, false)
    }

    func testRequestLargerThanBudgetIsRefusedWithNumbers() throws {
        let h = Harness(stateDirectory: false)
        let m = try h.manager(budgetTokens: 10)
        XCTAssertThrowsError(try h.turn(m, id: "s", new: Array(1...11))) {
            XCTAssertEqual($0 as? SessionError, .budgetExceeded(needed: 1100, budget: 1000))
        }
    }

    func testTTLExpiry() throws {
        let h = Harness(stateDirectory: true)
        let m = try h.manager(ttl: 60)
        try h.turn(m, id: "old", new: [1])
        h.now += 50
        try h.turn(m, id: "new", new: [1])
        h.now += 20
        XCTAssertEqual(m.list().map(\.id), ["new"])
        m.flushLogs()
        XCTAssertFalse(FileManager.default.fileExists(atPath: m.logPath(id: "old") ?? ""))
    }

    func testInvalidIDIsRejectedBeforeTouchingDisk() throws {
        let h = Harness(stateDirectory: true)
        let m = try h.manager()
        XCTAssertThrowsError(try m.checkout(id: "../x")) { XCTAssertEqual($0 as? SessionError, .invalidID("../x")) }
        XCTAssertThrowsError(try m.delete(id: "../x"))
        XCTAssertNil(m.logPath(id: "../x"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: h.dir ?? "").count, 0)
    }

    func testAnonymousPrefixReuse() throws {
        let h = Harness(stateDirectory: false)
        let m = try h.manager()
        XCTAssertEqual(try h.turn(m, id: nil, new: [1, 2, 3, 4]), 4)
        h.now += 1
        try h.turn(m, id: nil, new: [9, 9, 9])
        // Re-sent conversation with more at the end: reuses the [1,2,3,4] cache.
        XCTAssertEqual(try h.turn(m, id: nil, new: [1, 2, 3, 4, 5, 6]), 2)
        // Diverging after 2 tokens: truncates to the common prefix.
        XCTAssertEqual(try h.turn(m, id: nil, new: [1, 2, 7]), 1)
        XCTAssertTrue(m.list().isEmpty, "anonymous caches are not sessions")
    }

    func testRollbackRestoresTheTurnStart() throws {
        let h = Harness(stateDirectory: false)
        let m = try h.manager()
        try h.turn(m, id: "s", new: [1, 2, 3])
        let entry = try m.checkout(id: "s")
        _ = try m.reserve(entry, tokens: 10)
        var (cache, plan) = try m.takeCache(entry, prompt: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(plan, .append(suffixFrom: 3))
        cache.prefill([4, 5, 6])
        m.rollback(entry, cache: cache, kvFrom: 3)
        m.release(entry)
        XCTAssertEqual(m.status(id: "s")?.tokens, 3)
        XCTAssertEqual(try h.turn(m, id: "s", new: [7]), 1)
    }
}
