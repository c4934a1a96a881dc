import XCTest
@testable import Sessions

/// The KV budget counts allocated bytes, as each cache reports them, in one ledger.
final class SessionBudgetTests: XCTestCase {
    func testIdleCacheCountsItsCapacityAndGivesBackLargeSlack() throws {
        let h = Harness(stateDirectory: false)
        let m = try h.manager(budgetTokens: 1000)
        let entry = try m.checkout(id: "s")
        XCTAssertEqual(try m.reserve(entry, tokens: 100), .ready)  // prompt + max_tokens
        var (cache, _) = try m.takeCache(entry, prompt: [1, 2, 3])
        XCTAssertEqual(cache.capacity, 100, "reserved in one allocation")
        XCTAssertEqual(m.usedBytes, 100 * FakeCache.bytesPerToken, "a running turn counts its reservation")
        cache.prefill([1, 2, 3, 4, 5])  // stopped early: 95 tokens of slack
        m.commit(entry, cache: cache, kvFrom: 0, history: [1, 2, 3, 4, 5], mode: .raw, newMessages: []) {
            XCTAssertNil($0)
        }
        m.release(entry)
        XCTAssertEqual(m.usedBytes, 5 * FakeCache.bytesPerToken, "trimmed to its tokens")
    }

    func testSmallSlackIsKeptAndCounted() throws {
        let h = Harness(stateDirectory: false)
        let m = try h.manager(budgetTokens: 1000)
        let entry = try m.checkout(id: "s")
        XCTAssertEqual(try m.reserve(entry, tokens: 10), .ready)
        var (cache, _) = try m.takeCache(entry, prompt: [1])
        cache.prefill(Array(1...9)[...])  // 1 token of 10 unused: not worth a copy
        m.commit(entry, cache: cache, kvFrom: 0, history: Array(1...9), mode: .raw, newMessages: []) { XCTAssertNil($0) }
        m.release(entry)
        XCTAssertEqual(m.usedBytes, 10 * FakeCache.bytesPerToken, "the allocation is counted, not the 9 tokens")
    }

    func testReserveWaitsWhileRunningTurnsHoldTheBudget() throws {
        let h = Harness(stateDirectory: false)
        let m = try h.manager(budgetTokens: 100)
        let a = try m.checkout(id: "a"), b = try m.checkout(id: "b")
        XCTAssertEqual(try m.reserve(a, tokens: 60, alone: true), .ready)
        XCTAssertEqual(try m.reserve(b, tokens: 50, alone: false), .deferred, "60 + 50 > 100 while a runs")
        XCTAssertEqual(m.usedBytes, 60 * FakeCache.bytesPerToken, "a deferred reserve changes nothing")
        m.release(a)
        XCTAssertEqual(try m.reserve(b, tokens: 50, alone: false), .ready)
        m.release(b)
        XCTAssertThrowsError(try m.checkFits(bytes: m.bytesNeeded(tokens: 60, copies: 2))) {
            XCTAssertEqual($0 as? SessionError, .budgetExceeded(needed: 12000, budget: 10000))
        }
    }

    func testEvictionFreesIdleCapacityForANewTurn() throws {
        let h = Harness(stateDirectory: false)
        let m = try h.manager(budgetTokens: 100)
        for (i, id) in ["a", "b", "c"].enumerated() {
            h.now += 1
            try h.turn(m, id: id, new: Array(repeating: Int32(i), count: 30))
        }
        XCTAssertEqual(m.usedBytes, 90 * FakeCache.bytesPerToken)
        h.now += 1
        try h.turn(m, id: "d", new: Array(repeating: 9, count: 40))
        XCTAssertLessThanOrEqual(m.usedBytes, 100 * FakeCache.bytesPerToken)
        XCTAssertNil(m.status(id: "a"), "least recently used, dropped without a state directory")
        XCTAssertNotNil(m.status(id: "b"), "30 + 30 + 40 fits: one eviction is enough")
        XCTAssertEqual(m.evictionCount, 1)
    }
}
