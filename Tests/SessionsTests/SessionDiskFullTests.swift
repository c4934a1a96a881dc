import XCTest
@testable import Sessions

/// A log write that runs out of room. The fault is injected with RLIMIT_FSIZE (writes past
/// the limit fail with EFBIG after a short write, like a disk filling mid-record), so this runs
/// without root; the end-to-end `ReliabilityDiskFullTests` fills a real tmpfs.
final class SessionDiskFullTests: XCTestCase {
    private func withFileSizeLimit<T>(_ bytes: Int, _ body: () throws -> T) rethrows -> T {
        var old = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &old)
        var limited = old
        limited.rlim_cur = rlim_t(bytes)
        let previous = signal(SIGXFSZ, SIG_IGN)
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited)
        defer {
            setrlimit(Int32(RLIMIT_FSIZE.rawValue), &old)
            signal(SIGXFSZ, previous)
        }
        return try body()
    }

    private func size(_ path: String) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    func testFailedWriteLeavesNoPartialRecordAndTurnsSucceedOnceThereIsRoom() throws {
        let h = Harness(stateDirectory: true)
        let m = try h.manager()
        try h.turn(m, id: "s", new: [1, 2, 3], reply: [4])
        let path = try XCTUnwrap(m.logPath(id: "s"))
        let good = try size(path)
        try withFileSizeLimit(good + 20) {  // room for part of the next record only
            XCTAssertThrowsError(try h.turn(m, id: "s", new: Array(5...40))) {
                XCTAssertEqual($0 as? SessionError, .storageFull(id: "s"))
                XCTAssertFalse("\($0)".contains(h.dir ?? "/"), "no path in what a client sees: \($0)")
            }
        }
        XCTAssertEqual(try size(path), good, "the partial record was cut off")
        XCTAssertTrue(h.logs.contains { $0.contains(path) }, "the detail (path, errno) is in the server log: \(h.logs)")
        XCTAssertEqual(m.status(id: "s")?.tokens, 4, "the session is unchanged")
        XCTAssertEqual(try h.turn(m, id: "s", new: Array(5...40)), 36, "room again: the same turn succeeds")
        try h.assertCleanRestart(id: "s", tokens: 40)
    }

    func testFailedCreateLeavesNoTemporaryFile() throws {
        let h = Harness(stateDirectory: true)
        let m = try h.manager()
        try withFileSizeLimit(8) {  // not even the header fits
            XCTAssertThrowsError(try h.turn(m, id: "new", new: [1, 2]))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: h.dir ?? "").filter { $0 != "locks" }, [])  // locks: SessionOwnership
        XCTAssertNil(m.status(id: "new"), "a first turn that was not kept leaves no session")
        XCTAssertEqual(try h.turn(m, id: "new", new: [1, 2]), 2)
    }
}
