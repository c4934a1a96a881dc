import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Positioned reads (`pread`) of a session log: a record at a time, never the whole file in
/// memory, and the KV bytes straight into the cache's storage (see `KVRegion`).
struct SessionLogReader {
    let fd: Int32
    let size: Int
    let path: String

    init(path: String) throws {
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SessionLogFile.error("open", path) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = SessionLogFile.error("fstat", path)
            Glibc.close(fd)
            throw e
        }
        size = Int(st.st_size)
        self.path = path
    }

    func close() { Glibc.close(fd) }

    /// Fills `buffer` from `offset`; false when the file ends first.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Bool {
        guard offset >= 0, offset + buffer.count <= size else { return false }
        var done = 0
        while done < buffer.count {
            guard let base = buffer.baseAddress else { return true }
            let n = pread(fd, base + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw SessionLogFile.error("read", path)
            }
            if n == 0 { return false }
            done += n
        }
        return true
    }

    /// `n` bytes at `offset`, nil when the file ends first.
    func bytes(_ n: Int, at offset: Int) throws -> [UInt8]? {
        guard n >= 0, offset + n <= size else { return nil }
        var out = [UInt8](repeating: 0, count: n)
        let complete = try out.withUnsafeMutableBytes { try read(into: $0, at: offset) }
        return complete ? out : nil
    }
}

/// The KV part of one record's payload, read in order by `SessionCache.appendSerialized(tokenCount:read:)`,
/// with the record's CRC-32 carried along so the bytes are checked where they land.
struct KVRegion {
    struct Overrun: Error {}

    let reader: SessionLogReader
    var offset: Int
    let end: Int
    var crc: UInt32

    var isConsumed: Bool { offset == end }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws {
        guard offset + buffer.count <= end, try reader.read(into: buffer, at: offset) else { throw Overrun() }
        crc = CRC32.checksum(UnsafeRawBufferPointer(buffer), seed: crc)
        offset += buffer.count
    }
}
