import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a replica last saw of a session log: enough to tell that another replica wrote it
/// since. Logs only grow by appended turns (or are deleted and made anew), so size, inode and
/// modification time together change with every write.
struct LogStamp: Equatable, Sendable {
    var exists: Bool
    var device: UInt64 = 0
    var inode: UInt64 = 0
    var size: Int = 0
    var modifiedSeconds: Int = 0
    var modifiedNanoseconds: Int = 0

    static let missing = LogStamp(exists: false)

    /// The log's stamp now. The file is opened rather than only stat'ed: on NFS, open() makes
    /// the client revalidate the attributes it caches (close-to-open consistency), so a write
    /// made by another node is seen.
    static func of(path: String) -> LogStamp {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .missing }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .missing }
        return LogStamp(exists: true, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int(st.st_size),
                        modifiedSeconds: Int(st.st_mtim.tv_sec), modifiedNanoseconds: Int(st.st_mtim.tv_nsec))
    }
}
