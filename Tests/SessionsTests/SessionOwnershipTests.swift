import Foundation
import XCTest
@testable import Sessions

/// Two managers over one state directory stand for two replicas (flock locks of separate
/// open files conflict within one process as between processes).
final class SessionOwnershipTests: XCTestCase {
    func testAnotherReplicaTakesOverFromTheLogWithoutRecompute() throws {
        let h = Harness(stateDirectory: true)
        let a = try h.manager(), b = try h.manager()
        XCTAssertEqual(try h.turn(a, id: "s", new: [1, 2, 3], reply: [4]), 3)
        // b never saw "s": it adopts the history and restores the cache from the log, so only
        // the new tokens are prefilled.
        XCTAssertEqual(try h.turn(b, id: "s", new: [5, 6], reply: [7]), 2)
        XCTAssertEqual(b.status(id: "s")?.tokens, 7)
        XCTAssertEqual(b.restores, 1)
        // a's memory is stale (4 tokens): it reloads before its next turn instead of writing over b's.
        XCTAssertEqual(try h.turn(a, id: "s", new: [8], reply: [9]), 1)
        XCTAssertEqual(a.status(id: "s")?.tokens, 9)
        XCTAssertTrue(h.logs.contains { $0.contains("written by another replica; reloading") }, "\(h.logs)")
        let c = try h.manager()  // a fresh replica reads every turn back, in order
        let entry = try c.checkout(id: "s")
        XCTAssertEqual(entry.tokens, [1, 2, 3, 4, 5, 6, 7, 8, 9])
        c.release(entry)
    }

    func testSessionRunningOnOneReplicaIsBusyOnAnother() throws {
        let h = Harness(stateDirectory: true)
        let a = try h.manager(), b = try h.manager()
        try h.turn(a, id: "s", new: [1])
        let running = try a.checkout(id: "s")
        XCTAssertThrowsError(try b.checkout(id: "s")) { XCTAssertEqual($0 as? SessionError, .busy(id: "s")) }
        XCTAssertThrowsError(try b.delete(id: "s")) { XCTAssertEqual($0 as? SessionError, .busy(id: "s")) }
        a.release(running)
        XCTAssertEqual(try h.turn(b, id: "s", new: [2]), 1)
    }

    /// The lock file held by another process, which is then killed: the kernel frees it.
    func testLockOfAKilledProcessIsReleased() throws {
        let h = Harness(stateDirectory: true)
        let a = try h.manager()
        try h.turn(a, id: "s", new: [1])
        let lockFile = try XCTUnwrap(a.ownership).lockPath(id: "s")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--no-fork", "--exclusive", lockFile, "sleep", "60"]  // the killed pid holds the lock
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(10)
        var refused = false
        while Date() < deadline, !refused {
            do { try h.turn(a, id: "s", new: [2]) } catch SessionError.busy { refused = true }
            if !refused { Thread.sleep(forTimeInterval: 0.05) }
        }
        XCTAssertTrue(refused, "the other process's lock was never seen")
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        XCTAssertEqual(try h.turn(a, id: "s", new: [3]), 1)
    }

    /// A writer that ignored the lock (e.g. an NFS lease lost during a partition) appended a
    /// turn under the owner: the owner's next write yields and the log keeps the other turn.
    func testStaleOwnerYieldsInsteadOfWriting() throws {
        let h = Harness(stateDirectory: true)
        let a = try h.manager()
        try h.turn(a, id: "s", new: [1, 2])
        let path = try XCTUnwrap(a.logPath(id: "s"))
        let entry = try a.checkout(id: "s")
        _ = try a.reserve(entry, tokens: 4)
        var (cache, plan) = try a.takeCache(entry, prompt: [1, 2, 3])
        cache.prefill([3])
        let foreign = SessionLog.encodeRecord(TurnRecord(historyStart: 2, tokens: [9], kvStart: 2, kvTokenCount: 0,
                                                         kvBytes: [], mode: .raw, messages: []))
        let before = try XCTUnwrap(FileManager.default.contents(atPath: path))
        try (before + Data(foreign)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try h.commit(a, entry, cache: cache, kvFrom: plan.reusedTokens, history: [1, 2, 3])) {
            XCTAssertEqual($0 as? SessionError, .busy(id: "s"))
        }
        a.rollback(entry, cache: cache, kvFrom: plan.reusedTokens)
        a.release(entry)
        XCTAssertEqual(FileManager.default.contents(atPath: path), before + Data(foreign))
        // Reloaded: history [1, 2, 9] + [4]; the foreign turn brought no KV for 9, so 2 to prefill.
        XCTAssertEqual(try h.turn(a, id: "s", new: [4]), 2)
        XCTAssertEqual(a.status(id: "s")?.tokens, 4)
    }

    func testExpiryNeverRemovesALogAnotherReplicaWroteSince() throws {
        let h = Harness(stateDirectory: true)
        let a = try h.manager(ttl: 60), b = try h.manager(ttl: 60)
        try h.turn(a, id: "s", new: [1])
        h.now += 30
        try h.turn(b, id: "s", new: [2])  // b took it over; a's view is now stale
        h.now += 40
        a.expireIdle()  // a's idle copy expires: a forgets it but leaves b's log
        XCTAssertTrue(FileManager.default.fileExists(atPath: try XCTUnwrap(b.logPath(id: "s"))))
        XCTAssertEqual(b.status(id: "s")?.tokens, 2)
    }

    func testDeleteReachesASessionOnlyAnotherReplicaWrote() throws {
        let h = Harness(stateDirectory: true)
        let a = try h.manager(), b = try h.manager()
        try h.turn(a, id: "s", new: [1])
        try b.delete(id: "s")
        XCTAssertFalse(FileManager.default.fileExists(atPath: try XCTUnwrap(a.logPath(id: "s"))))
        XCTAssertEqual(try h.turn(a, id: "s", new: [5, 6]), 2)  // a sees the deletion: a new session
        XCTAssertEqual(a.status(id: "s")?.tokens, 2)
    }
}
