import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which replica may write a session's log when several share one state directory.
///
/// A replica owns a session while it runs a turn on it: it holds an exclusive `flock` on
/// `<state_dir>/locks/<id>.lock` from checkout to release. The kernel drops the lock when the
/// holder's process dies (even `kill -9`), so a crashed replica's sessions are free at once.
/// Ownership is per turn rather than for as long as a session sits in memory, so a session can
/// move to another replica (the load balancer's choice) without a hand-over protocol.
///
/// Because another replica may have written the log since this one last saw it, every claim
/// compares the log with the `LogStamp` this replica remembers (see
/// `SessionManager.claim`), and every write first re-checks that the lock file is still the
/// one locked and the log unchanged (`checkWritable`): a stale owner yields instead of
/// appending to a history it has not read.
///
/// On NFS (Linux client, v3 with NLM or v4), `flock` is sent to the server as a whole-file
/// POSIX lock. A replica *process* that dies is unlocked at once by its client kernel; a
/// whole *node* that dies holds its locks until the server's lease (v4, default 90 s) or NLM
/// grace expires, and its sessions answer 409 until then. A node cut off longer than the lease
/// loses its locks; when it comes back the write checks above make it yield, but NFS gives no
/// fencing token, so a write already in flight at the instant the lease expires is not
/// excluded. Do not mount with `local_lock=flock` or `nolock`: locks would be per node only.
/// Lock files of deleted sessions are removed by the holder while it holds them; a process
/// that locked the old file notices (inode check) and retries on the new one.
// @unchecked: `held` and `seen` are guarded by `lock`; the rest is immutable.
final class SessionOwnership: @unchecked Sendable {
    // @unchecked: `held` and `seen` are only touched under `lock`.
    let directory: String
    private let ownerName: String
    private let lock = NSLock()
    /// Open, flock'ed lock files of the sessions this process owns now.
    private var held: [String: Int32] = [:]
    /// Each session's log as this replica last read or wrote it.
    private var seen: [String: LogStamp] = [:]

    init(stateDirectory: String, ownerName: String) {
        directory = (stateDirectory as NSString).appendingPathComponent("locks")
        self.ownerName = ownerName
    }

    func lockPath(id: String) -> String {
        (directory as NSString).appendingPathComponent(id + ".lock")
    }

    /// Takes the session's lock without waiting. false: another process, or another holder in
    /// this one, owns it now (not re-entrant: a delete must not borrow a running turn's lock).
    func acquire(id: String) throws -> Bool {
        if withLock({ held[id] != nil }) { return false }
        let path = lockPath(id: id)
        for _ in 0..<3 {
            var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            if fd < 0 && errno == ENOENT {  // made on first use, so an unused state directory stays empty
                mkdir(directory, 0o755)
                fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            }
            guard fd >= 0 else { throw Self.error("open", path) }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                close(fd)
                if code == EAGAIN { return false }  // EWOULDBLOCK on Linux
                errno = code
                throw Self.error("flock", path)
            }
            // The holder may have removed the file (session deleted) after we opened it.
            guard Self.isCurrent(fd, path: path) else { close(fd); continue }
            Self.writeOwner(fd, "\(ownerName) pid \(getpid())\n")
            withLock { held[id] = fd }
            return true
        }
        return false
    }

    /// Gives the lock up; with `removeFile` the lock file goes too (the session was deleted).
    func release(id: String, removeFile: Bool = false) {
        guard let fd = withLock({ held.removeValue(forKey: id) }) else { return }
        if removeFile {
            unlink(lockPath(id: id))
            withLock { seen[id] = nil }
        }
        close(fd)
    }

    func owns(id: String) -> Bool { withLock { held[id] != nil } }

    /// nil when this replica has no memory of the log.
    func lastSeen(id: String) -> LogStamp? { withLock { seen[id] } }

    func remember(id: String, _ stamp: LogStamp) { withLock { seen[id] = stamp } }

    /// Throws `.busy` unless this process holds the session's lock, the lock file is still the
    /// one it locked, and the log is as this replica last saw it.
    func checkWritable(id: String, logPath: String, log: (String) -> Void) throws {
        let (fd, stamp) = withLock { (held[id], seen[id]) }
        guard let fd, Self.isCurrent(fd, path: lockPath(id: id)) else {
            log("session \(id): this replica no longer holds its lock; not writing")
            throw SessionError.busy(id: id)
        }
        let now = LogStamp.of(path: logPath)
        if now != (stamp ?? .missing) {
            log("session \(id): its log changed since this replica read it (another replica wrote it); yielding")
            withLock { seen[id] = nil }
            throw SessionError.busy(id: id)
        }
    }

    private static func isCurrent(_ fd: Int32, path: String) -> Bool {
        var mine = stat(), there = stat()
        guard fstat(fd, &mine) == 0, stat(path, &there) == 0 else { return false }
        return mine.st_ino == there.st_ino && mine.st_dev == there.st_dev
    }

    // Who holds it, for an operator reading the file; nothing depends on it.
    private static func writeOwner(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = ftruncate(fd, 0)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    private static func error(_ op: String, _ path: String) -> SessionError {
        .io("\(op) \(path): \(String(cString: strerror(errno)))")
    }

    private func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
