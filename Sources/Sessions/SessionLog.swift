import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A session's append-only log file: a header, then one checksummed record per completed turn.
///
///     header: u32 magic "KVSS", u32 version, u32 len + model identity, u32 len + cache layout,
///             u32 CRC-32 of the header bytes before it
///     record: u32 magic "TURN", u32 payload length, payload (see TurnRecord), u32 CRC-32 of payload
///
/// A turn is one `pwrite` + `fsync`, so a crash leaves every earlier record intact and at most a
/// partial last record, which `read` detects (short length or bad checksum) and reports; the
/// next append overwrites it.
public enum SessionLog {
    static let headerMagic: UInt32 = 0x5353_4B56  // "VKSS" in file order
    static let recordMagic: UInt32 = 0x4E52_5554  // "TURN"
    static let version: UInt32 = 1

    public struct Contents {
        public var records: [TurnRecord]
        /// File offset just past the last valid record: where the next append goes.
        public var validEnd: Int
        /// Why reading stopped before the end of the file (nil when the whole file was valid).
        public var problem: String?
    }

    public static func encodeHeader(identity: String, layout: String) -> [UInt8] {
        var w = ByteWriter()
        w.u32(headerMagic)
        w.u32(version)
        w.blob(Array(identity.utf8))
        w.blob(Array(layout.utf8))
        w.u32(CRC32.checksum(w.bytes))
        return w.bytes
    }

    public static func encodeRecord(_ record: TurnRecord) -> [UInt8] {
        let payload = record.encodePayload()
        var w = ByteWriter()
        w.u32(recordMagic)
        w.u32(payload.count)
        w.raw(payload)
        w.u32(CRC32.checksum(payload))
        return w.bytes
    }

    /// Reads and checks a log. Throws `.refused` when the header is unusable or names another
    /// model or a cache layout that is neither `layout` nor one of `convertible`; a bad record
    /// ends the read (reported in `problem`), keeping the records before it.
    public static func read(path: String, id: String, identity: String, layout: String,
                            includeKV: Bool, convertible: [String] = []) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SessionError.io("cannot read session log \(path)")
        }
        var r = ByteReader(Array(data))
        try checkHeader(&r, id: id, identity: identity, layouts: [layout] + convertible)
        var contents = Contents(records: [], validEnd: r.offset, problem: nil)
        var history = 0
        var kvCount = 0
        while r.remaining > 0 {
            let start = r.offset
            guard let magic = r.u32(), let length = r.int(), let payload = r.raw(length), let crc = r.u32() else {
                contents.problem = "partial record at offset \(start) (file ends after \(data.count) bytes)"
                break
            }
            guard magic == recordMagic else {
                contents.problem = "bad record magic at offset \(start)"
                break
            }
            guard CRC32.checksum(payload) == crc else {
                contents.problem = "checksum mismatch in record at offset \(start)"
                break
            }
            guard let rec = TurnRecord.decodePayload(payload, includeKV: includeKV),
                  rec.historyStart == history, rec.kvStart <= kvCount,
                  rec.kvStart + rec.kvTokenCount <= history + rec.tokens.count
            else {
                contents.problem = "inconsistent record at offset \(start)"
                break
            }
            history += rec.tokens.count
            kvCount = rec.kvStart + rec.kvTokenCount
            contents.records.append(rec)
            contents.validEnd = r.offset
        }
        return contents
    }

    private static func checkHeader(_ r: inout ByteReader, id: String, identity: String, layouts: [String]) throws {
        guard let magic = r.u32(), magic == headerMagic else {
            throw SessionError.refused(id: id, reason: "not a kvserve session log (bad magic)")
        }
        guard let v = r.u32(), v == version else {
            throw SessionError.refused(id: id, reason: "unsupported log version")
        }
        guard let idBytes = r.blob(), let layoutBytes = r.blob() else {
            throw SessionError.refused(id: id, reason: "truncated header")
        }
        let headerEnd = r.offset
        guard let crc = r.u32(), crc == CRC32.checksum(r.bytes[0..<headerEnd]) else {
            throw SessionError.refused(id: id, reason: "header checksum mismatch")
        }
        let fileIdentity = String(decoding: idBytes, as: UTF8.self)
        guard fileIdentity == identity else {
            throw SessionError.refused(id: id, reason: "made by another model (identity \(fileIdentity), loaded model \(identity))")
        }
        let fileLayout = String(decoding: layoutBytes, as: UTF8.self)
        guard layouts.contains(fileLayout) else {
            throw SessionError.refused(id: id, reason: "its KV cache layout '\(fileLayout)' cannot be loaded into this "
                + "server's '\(layouts[0])' (another model shape); delete the log or serve the model that wrote it")
        }
    }
}
