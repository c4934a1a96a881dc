import Foundation
import XCTest

/// Fault: the state directory's file system fills up. A real 8 MiB tmpfs is mounted (the tests
/// run as root in CI); where mounting is refused the test says so and skips: the same fault is
/// injected without root in SessionsTests/SessionDiskFullTests (RLIMIT_FSIZE).
final class ReliabilityDiskFullTests: XCTestCase {
    private func mountTinyTmpfs() throws -> String {
        let dir = try ReliabilityClient.temporaryDirectory(self)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=8m", "tmpfs", dir]
        mount.standardError = FileHandle.nullDevice
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else {
            throw XCTSkip("mount -t tmpfs refused (not root?): the disk-full fault is covered by SessionDiskFullTests (RLIMIT_FSIZE injection)")
        }
        addTeardownBlock {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = ["-l", dir]
            try? umount.run()
            umount.waitUntilExit()
        }
        return dir
    }

    /// Writes a filler file until the file system refuses even one more byte.
    private func fill(_ dir: String) throws -> String {
        let path = dir + "/filler"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        for chunk in [1 << 20, 64 << 10, 4 << 10, 1] {
            let data = Data(count: chunk)
            while (try? handle.write(contentsOf: data)) != nil {}
        }
        try? handle.synchronize()
        return path
    }

    private func logSize(_ dir: String, _ id: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: "\(dir)/\(id).kvlog"))?[.size] as? Int
    }

    private func assertStorageFull(_ reply: ReliabilityClient.Reply, dir: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(reply.status, 507, reply.body, file: file, line: line)
        XCTAssertEqual(reply.error?["type"] as? String, "insufficient_storage_error", reply.body, file: file, line: line)
        let message = reply.error?["message"] as? String ?? ""
        XCTAssertTrue(message.contains("no space left"), message, file: file, line: line)
        XCTAssertFalse(message.contains(dir) || message.contains("errno") || message.contains("No space left on device"),
                       "no path or errno for the client: \(message)", file: file, line: line)
    }

    func testFullStateDirAnswers507AndTurnsSucceedOnceFreedBeforeAndAfterRestart() throws {
        let dir = try mountTinyTmpfs()
        var server = try ReliabilityClient.startServer(stateDir: dir)
        XCTAssertEqual(try ReliabilityClient.turn(server.port, session: "a", "Hello.").status, 200)
        let good = try XCTUnwrap(logSize(dir, "a"))

        var filler = try fill(dir)
        assertStorageFull(try ReliabilityClient.turn(server.port, session: "a", "Tell me more."), dir: dir)
        assertStorageFull(try ReliabilityClient.turn(server.port, session: "b", "A new session."), dir: dir)
        XCTAssertEqual(logSize(dir, "a"), good, "the failed record was cut off: no partial record")
        // (`locks` holds the sessions' ownership lock files, see SessionOwnership.)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["a.kvlog", "filler", "locks"],
                       "no temporary file or empty log left behind")
        XCTAssertTrue(server.log.contains(dir), "the detail (path, errno) goes to the server log")

        try FileManager.default.removeItem(atPath: filler)
        let again = try ReliabilityClient.turn(server.port, session: "a", "Tell me more.")
        XCTAssertEqual(again.status, 200, again.body)
        XCTAssertGreaterThan((again.json?["usage"] as? [String: Any])?["cached_tokens"] as? Int ?? 0, 0, "history kept")
        XCTAssertEqual(try ReliabilityClient.turn(server.port, session: "b", "A new session.").status, 200)
        let afterTwo = try XCTUnwrap(logSize(dir, "a"))

        // Full again, then a restart on the full disk: start-up works, turns answer 507 until freed.
        filler = try fill(dir)
        ReliabilityClient.stop(server)
        server = try ReliabilityClient.startServer(stateDir: dir)
        assertStorageFull(try ReliabilityClient.turn(server.port, session: "a", "And then?"), dir: dir)
        XCTAssertEqual(logSize(dir, "a"), afterTwo)
        try FileManager.default.removeItem(atPath: filler)
        let restored = try ReliabilityClient.turn(server.port, session: "a", "And then?")
        XCTAssertEqual(restored.status, 200, restored.body)
        XCTAssertGreaterThan((restored.json?["usage"] as? [String: Any])?["cached_tokens"] as? Int ?? 0, 0)
        ReliabilityClient.stop(server)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir).contains { $0.hasSuffix(".tmp") })
    }
}
