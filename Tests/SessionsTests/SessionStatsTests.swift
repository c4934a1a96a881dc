import XCTest
@testable import Sessions

// The figures /metrics shows, through eviction to disk and restore.
final class SessionStatsTests: XCTestCase {
    func testStatsFollowEvictionAndRestore() throws {
        let h = Harness(stateDirectory: true)
        let m = try h.manager(budgetTokens: 20)
        XCTAssertEqual(m.stats, SessionStats())

        try h.turn(m, id: "a", new: Array(1...10))
        var s = m.stats
        XCTAssertEqual([s.inMemory, s.onDisk, s.evictions, s.restores], [1, 1, 0, 0])
        XCTAssertEqual(s.usedBytes, 10 * FakeCache.bytesPerToken)
        let logBytes = try XCTUnwrap(try FileManager.default.attributesOfItem(
            atPath: h.dir! + "/a.kvlog")[.size] as? Int)
        XCTAssertEqual(s.diskBytes, logBytes, "the valid part of the log is all of it")

        h.now += 1
        try h.turn(m, id: "b", new: Array(1...15))  // a is evicted to make room
        s = m.stats
        XCTAssertEqual([s.inMemory, s.onDisk, s.evictions, s.restores], [1, 2, 1, 0])
        XCTAssertEqual(s.usedBytes, 15 * FakeCache.bytesPerToken)

        h.now += 1
        try h.turn(m, id: "a", new: [11])  // a comes back from its log, b goes
        s = m.stats
        XCTAssertEqual([s.inMemory, s.onDisk, s.evictions, s.restores], [1, 2, 2, 1])
        XCTAssertEqual(s.usedBytes, 11 * FakeCache.bytesPerToken)
    }
}
