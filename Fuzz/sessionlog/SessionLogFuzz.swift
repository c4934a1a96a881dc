import Foundation

// libFuzzer harness for the session-log reader, through the path a restart takes: a
// `SessionManager` discovers the log in its state directory (history and messages), then a
// request checks the session out and `reserve` replays the KV bytes into a cache (`FuzzCache`:
// the KVC1 layout of a 2-layer, 4-wide f32 KV cache, so only the Sessions module is compiled;
// the real cache's row parsing is covered by the KV cache tests).
//
// Input: byte 0 bit 0 set = repair the checksums first (the fuzzer cannot forge CRC-32, so
// without this it would never get past the first check); the rest is the log file. The
// header must name `identity` and `layout` below to be accepted (the seeds do).
// Whatever the bytes, the reader must refuse the log or keep a consistent prefix of it.

let identity = "fuzz-model"
let layout = "llama-f32 layers=2 kv_dim=4"
let stateDirectory: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return base + "/kvserve-fuzz-sessionlog-\(getpid())"
}()


@_cdecl("LLVMFuzzerTestOneInput")
public func sessionLogFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    var log = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 == 1 { repairChecksums(&log) }
    try? FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
    let path = stateDirectory + "/s.kvlog"
    guard FileManager.default.createFile(atPath: path, contents: Data(log)) else { fatalError("cannot write \(path)") }
    replay()
    return 0
}

func replay() {
    let config = SessionManagerConfig(budgetBytes: 1 << 20, stateDirectory: stateDirectory,
                                      ttl: 0, modelIdentity: identity, cacheLayout: layout, log: { _ in })
    guard let manager = try? SessionManager(config: config, makeCache: { FuzzCache() }),
          let entry = try? manager.checkout(id: "s")
    else { return }
    defer { manager.release(entry) }
    let history = entry.tokens.count
    if (try? manager.reserve(entry, tokens: min(history + 1, FuzzCache.maxTokens))) != nil {
        let cached = entry.cache?.count ?? 0
        if cached > history { fatalError("cache holds \(cached) tokens for a history of \(history)") }
    }
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
