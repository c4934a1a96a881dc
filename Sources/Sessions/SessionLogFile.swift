import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A failed system call on a session log: kept apart from what a client sees, since it names
/// the path and errno (those go to the server log only).
struct LogFileError: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var code: Int32

    /// The file system has no room (or the quota is used up): recoverable once space is freed.
    /// (EFBIG: the file may grow no further, e.g. RLIMIT_FSIZE: to the user the same "no room".)
    var isNoSpace: Bool { code == ENOSPC || code == EDQUOT || code == EFBIG }
    var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}

/// The POSIX calls behind the session log.
enum SessionLogFile {
    /// Creates the log with its header, durably: written to a temporary file, fsync'd, renamed
    /// into place, then the directory fsync'd so the new name survives a crash too. A failure
    /// removes the temporary file.
    static func create(path: String, header: [UInt8]) throws -> Int {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw error("create", tmp) }
        do {
            try writeAll(fd, header, at: 0, path: tmp)
            guard fsync(fd) == 0 else { throw error("fsync", tmp) }
            guard rename(tmp, path) == 0 else { throw error("rename", tmp) }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        close(fd)
        syncDirectory(of: path)
        return header.count
    }

    /// Writes `bytes` at `offset` (dropping anything after it, e.g. a partial record left by
    /// a crash) and fsyncs. Returns the new end offset. On failure the file is cut back to
    /// `offset`, so a disk-full write never leaves a partial record behind.
    static func append(path: String, bytes: [UInt8], at offset: Int) throws -> Int {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw error("open", path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw error("fstat", path) }
        if Int(st.st_size) != offset, ftruncate(fd, off_t(offset)) != 0 { throw error("ftruncate", path) }
        do {
            try writeAll(fd, bytes, at: offset, path: path)
            guard fsync(fd) == 0 else { throw error("fsync", path) }
        } catch {
            // Shrinking needs no free blocks; the fsync makes the cut durable before we answer.
            _ = ftruncate(fd, off_t(offset))
            _ = fsync(fd)
            throw error
        }
        return offset + bytes.count
    }

    /// Cuts a log back to its last good record (damage found while loading).
    static func truncate(path: String, to length: Int) throws {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw error("open", path) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(length)) == 0 else { throw error("ftruncate", path) }
        guard fsync(fd) == 0 else { throw error("fsync", path) }
    }

    static func remove(path: String) {
        unlink(path)
        syncDirectory(of: path)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { buf -> Int in
                guard let base = buf.baseAddress else { return 0 }
                return pwrite(fd, base + done, bytes.count - done, off_t(offset + done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw error("write", path)
            }
            done += n
        }
    }

    private static func syncDirectory(of path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func error(_ op: String, _ path: String) -> LogFileError {
        LogFileError(operation: op, path: path, code: errno)
    }
}
