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
/// next append overwrites it. A failed append cuts the file back itself (SessionLogFile).
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
        /// The problem lost acknowledged turns (bad bytes inside the file), as opposed to a
        /// partial last record, which only a crash during an unacknowledged write leaves.
        public var isDamaged = false

        /// The history the records add up to.
        public var tokens: [Int32] { records.flatMap(\.tokens) }
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

    /// Reads and checks a log with positioned reads, one record at a time. Throws `.refused`
    /// when the header is unusable or names another model or a cache layout that is neither
    /// `layout` nor one of `convertible`; a bad record ends
    /// the read (reported in `problem`), keeping the records before it.
    ///
    /// Without `kv` (start-up) only each record's frame and its history part (tokens, messages)
    /// are read; the KV bytes are skipped, so the checksum is checked on load. With `kv` every
    /// record's KV bytes are handed to it as a `KVRegion` (read into the cache in place) and the
    /// checksum is checked; a record that fails after `kv` ran is not in `records`, and the
    /// caller cuts its cache back to the last record kept.
    static func read(path: String, id: String, identity: String, layout: String,
                     convertible: [String] = [],
                     kv: ((TurnRecord, inout KVRegion) throws -> Void)? = nil) throws -> Contents {
        let file = try SessionLogReader(path: path)
        defer { file.close() }
        let headerBytes = try file.bytes(min(file.size, maxHeaderBytes), at: 0) ?? []
        var r = ByteReader(headerBytes)
        try checkHeader(&r, id: id, identity: identity, layouts: [layout] + convertible)
        var contents = Contents(records: [], validEnd: r.offset, problem: nil)
        var history = 0
        var kvCount = 0
        while contents.validEnd < file.size {
            let start = contents.validEnd
            do {
                let rec = try readRecord(file, at: start, kv: kv)
                guard rec.record.historyStart == history, rec.record.kvStart <= kvCount,
                      rec.record.kvStart + rec.record.kvTokenCount <= history + rec.record.tokens.count
                else { throw RecordProblem("inconsistent record") }
                history += rec.record.tokens.count
                kvCount = rec.record.kvStart + rec.record.kvTokenCount
                contents.records.append(rec.record)
                contents.validEnd = rec.end
            } catch let problem as RecordProblem {
                contents.problem = "\(problem.what) at offset \(start) (turn \(contents.records.count + 1), file of \(file.size) bytes)"
                contents.isDamaged = problem.what != "partial record"
                break
            }
        }
        return contents
    }

    struct RecordProblem: Error {
        var what: String
        init(_ what: String) { self.what = what }
    }

    /// Identity and layout strings are short; a header claiming more is damaged.
    static let maxHeaderBytes = 64 << 10

    /// One record: frame, history part (parsed by `TurnRecord.decodePayload` without KV),
    /// then, with `kv`, the KV bytes and the checksum over the whole payload.
    private static func readRecord(_ file: SessionLogReader, at start: Int,
                                   kv: ((TurnRecord, inout KVRegion) throws -> Void)?) throws -> (record: TurnRecord, end: Int) {
        guard let frame = try file.bytes(8, at: start) else { throw RecordProblem("partial record") }
        var f = ByteReader(frame)
        guard f.u32() == recordMagic, let length = f.int() else { throw RecordProblem("bad record magic") }
        let payloadStart = start + 8, payloadEnd = payloadStart + length
        guard payloadEnd + 4 <= file.size else { throw RecordProblem("partial record") }
        // History part: u32 historyStart, u32 n, n tokens, u32 kvStart, u32 kvCount, u32 metaLen, meta.
        guard length >= 8, let counts = try file.bytes(8, at: payloadStart),
              let n = word(counts, at: 4), 8 + 4 * n + 12 <= length,
              let middle = try file.bytes(4 * n + 12, at: payloadStart + 8),
              let metaLength = word(middle, at: 4 * n + 8),
              20 + 4 * n + metaLength <= length,
              let meta = try file.bytes(metaLength, at: payloadStart + 20 + 4 * n)
        else { throw RecordProblem("inconsistent record") }
        let prefix = counts + middle + meta
        guard let record = TurnRecord.decodePayload(prefix, includeKV: false) else {
            throw RecordProblem("inconsistent record")
        }
        if let kv {
            var region = KVRegion(reader: file, offset: payloadStart + prefix.count, end: payloadEnd,
                                  crc: CRC32.checksum(prefix))
            do {
                try kv(record, &region)
            } catch is KVRegion.Overrun {
                throw RecordProblem("KV bytes do not match the record")
            } catch let error as LogFileError {
                throw error
            } catch {
                throw RecordProblem("unusable KV bytes (\(error))")
            }
            guard region.isConsumed else { throw RecordProblem("KV bytes do not match the record") }
            guard let stored = try file.bytes(4, at: payloadEnd), word(stored, at: 0) == Int(region.crc) else {
                throw RecordProblem("checksum mismatch")
            }
        }
        return (record, payloadEnd + 4)
    }

    private static func word(_ bytes: [UInt8], at offset: Int) -> Int? {
        var r = ByteReader(bytes, offset: offset)
        return r.int()
    }

    private static func checkHeader(_ r: inout ByteReader, id: String, identity: String, layouts: [String]) throws {
        guard let magic = r.u32(), magic == headerMagic else {
            throw SessionError.refused(id: id, reason: "not a kvserve session log (bad magic)")
        }
        guard let v = r.u32(), v == version else {
            throw SessionError.refused(id: id, reason: "of an unsupported log version")
        }
        guard let idBytes = r.blob(), let layoutBytes = r.blob() else {
            throw SessionError.refused(id: id, reason: "damaged (truncated header)")
        }
        let headerEnd = r.offset
        guard let crc = r.u32(), crc == CRC32.checksum(r.bytes[0..<headerEnd]) else {
            throw SessionError.refused(id: id, reason: "damaged (header checksum mismatch)")
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
