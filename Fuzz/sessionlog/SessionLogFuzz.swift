import Foundation

// libFuzzer harness for the session-log reader, through the path a restart takes for one log
// (`SessionLogLoader`, which `SessionManager` runs at discovery and on first use): header and
// history (tokens, messages) first, then the KV bytes replayed into a cache with their
// checksums (`FuzzCache`: the KVC1 layout of a 2-layer, 4-wide f32 KV cache, so only the
// Sessions module is compiled; the real cache's row parsing is covered by the KV cache tests).
// The manager's own start-up (queues, lock files, directory scan) is left out: it was most of
// the ~1 ms of CPU each input took, and it reads no byte of the log.
//
// Input: byte 0 bit 0 set = repair the checksums first (the fuzzer cannot forge CRC-32, so
// without this it would never get past the first check); the rest is the log file. The
// header must name `identity` and `layout` below to be accepted (the seeds do).
// Whatever the bytes, the reader must refuse the log or keep a consistent prefix of it.

let identity = "fuzz-model"
let layout = "llama-f32 layers=2 kv_dim=4"
let path: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return base + "/kvserve-fuzz-sessionlog-\(getpid()).kvlog"
}()
let loader = SessionLogLoader<FuzzCache>(identity: identity, layout: layout, log: { _ in })

@_cdecl("LLVMFuzzerTestOneInput")
public func sessionLogFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    var log = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 == 1 { repairChecksums(&log) }
    write(log)
    replay()
    return 0
}

func replay() {
    // Discovery: the header and every record's history part.
    guard let discovered = try? loader.readHistory(id: "s", path: path) else { return }
    let history = discovered.tokens.count
    // First use: the KV bytes into a cache reserved as `SessionManager.reserve` would for a
    // turn of one more token.
    var cache = FuzzCache()
    cache.reserveCapacity(min(history + 1, FuzzCache.maxTokens))
    guard let kept = try? loader.readCache(id: "s", path: path, into: &cache) else { return }
    if cache.count > kept.tokens.count {
        fatalError("cache holds \(cache.count) tokens for a history of \(kept.tokens.count)")
    }
    if kept.records != Array(discovered.records.prefix(kept.records.count)) {
        fatalError("the load kept \(kept.records.count) records, not a prefix of the \(discovered.records.count) discovered")
    }
}

/// Kept open for the whole run: each input replaces the file's contents with two calls.
/// Removed when the fuzzer exits.
let file: Int32 = {
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { fatalError("cannot create \(path)") }
    atexit { unlink(path) }
    return fd
}()

/// Replaces the log file's contents with `bytes`.
func write(_ bytes: [UInt8]) {
    let written = bytes.withUnsafeBytes { pwrite(file, $0.baseAddress, $0.count, 0) }
    guard written == bytes.count, ftruncate(file, off_t(bytes.count)) == 0 else { fatalError("cannot write \(path)") }
}

/// Rewrites the header CRC and each record's CRC so they match the bytes before them.
func repairChecksums(_ log: inout [UInt8]) {
    func u32(_ at: Int) -> Int? {
        guard at >= 0, at + 4 <= log.count else { return nil }
        return (0..<4).reduce(0) { $0 | Int(log[at + $1]) << (8 * $1) }
    }
    func store(_ value: UInt32, at: Int) {
        guard at + 4 <= log.count else { return }
        for i in 0..<4 { log[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }
    // Header: magic, version, identity blob, layout blob, CRC of everything before it.
    guard let idLength = u32(8), let layoutLength = u32(12 + idLength) else { return }
    var at = 16 + idLength + layoutLength
    store(CRC32.checksum(log[0..<min(at, log.count)]), at: at)
    at += 4
    // Records: magic, payload length, payload, CRC of the payload.
    while let length = u32(at + 4), at + 8 + length + 4 <= log.count {
        store(CRC32.checksum(log[(at + 8)..<(at + 8 + length)]), at: at + 8 + length)
        at += 12 + length
    }
}
