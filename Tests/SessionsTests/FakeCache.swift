import Foundation
import Synchronization
import XCTest
@testable import Sessions

/// A stand-in KV cache: one row [token, position] per token, 100 "bytes" each, so session
/// logic (budget, eviction, logs, replay) is tested without the model.
struct FakeCache: SessionCache, Equatable {
    static let bytesPerToken = 100
    var rows: [[Float]] = []
    /// Tokens allocated; grows in steps of 8 like a real cache's growth steps, so the budget's
    /// count of capacity (not tokens) is visible.
    var capacity = 0

    var count: Int { rows.count }
    var allocatedByteCount: Int { capacity * Self.bytesPerToken }
    func allocatedBytes(forTokens tokens: Int) -> Int { tokens * Self.bytesPerToken }
    mutating func reserveCapacity(_ tokens: Int) { capacity = max(capacity, tokens) }
    mutating func shrinkToFit() { capacity = rows.count }

    mutating func truncate(to count: Int) throws {
        rows.removeLast(rows.count - count)
    }

    func serialized(tokens: Range<Int>) throws -> [UInt8] {
        rows[tokens].flatMap { $0 }.flatMap { f -> [UInt8] in
            withUnsafeBytes(of: f.bitPattern.littleEndian) { Array($0) }
        }
    }

    mutating func appendSerialized(_ bytes: [UInt8], tokenCount: Int) throws {
        guard bytes.count == tokenCount * 8 else { throw SessionError.io("fake cache: bad byte count") }
        for t in 0..<tokenCount {
            let row = (0..<2).map { i -> Float in
                let o = t * 8 + i * 4
                let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
                return Float(bitPattern: bits)
            }
            append(row)
        }
    }

    /// One read per token row, as a real cache reads one buffer per layer.
    mutating func appendSerialized(tokenCount: Int, read: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        for _ in 0..<tokenCount {
            var row: [Float] = [0, 0]
            try row.withUnsafeMutableBytes { try read($0) }
            append(row)
        }
    }

    private mutating func append(_ row: [Float]) {
        rows.append(row)
        if rows.count > capacity { capacity = (rows.count + 7) / 8 * 8 }
    }

    /// What "running the model" on `tokens` does to the fake cache.
    mutating func prefill(_ tokens: ArraySlice<Int32>) {
        for t in tokens { append([Float(t), Float(rows.count)]) }
    }
}

/// Test harness: a manager over fake caches with a capturing log and a settable clock.
final class Harness {
    var logs: [String] = []
    var now = Date(timeIntervalSince1970: 1_000_000)
    let dir: String?

    init(stateDirectory: Bool) {
        if stateDirectory {
            let d = NSTemporaryDirectory() + "kvserve-sessions-\(UUID().uuidString)"
            dir = d
        } else {
            dir = nil
        }
    }

    deinit {
        if let dir { try? FileManager.default.removeItem(atPath: dir) }
    }

    func manager(budgetTokens: Int = 1000, ttl: TimeInterval = 0, identity: String = "model-A",
                 pool: Int = 4, layout: String = "fake:2xf32",
                 convertible: [String] = []) throws -> SessionManager<FakeCache> {
        var config = SessionManagerConfig(
            budgetBytes: budgetTokens * FakeCache.bytesPerToken,
            stateDirectory: dir, ttl: ttl, anonymousPoolSize: pool, modelIdentity: identity,
            cacheLayout: layout, log: { [weak self] in self?.logs.append($0) }, now: { [weak self] in self?.now ?? Date() })
        config.convertibleLayouts = convertible
        return try SessionManager(config: config, makeCache: { FakeCache() })
    }

    /// One complete turn the way the engine runs it: reserve, plan, prefill, "generate"
    /// `reply` tokens, commit, release. Returns the number of tokens prefilled.
    @discardableResult
    func turn(_ m: SessionManager<FakeCache>, id: String?, new: [Int32], reply: [Int32] = [],
              messages: [SessionMessage] = []) throws -> Int {
        let entry = try id.map { try m.checkout(id: $0) } ?? m.checkoutAnonymous(prompt: new)
        defer { m.release(entry) }
        let prompt = id == nil ? new : entry.tokens + new
        _ = try m.reserve(entry, tokens: prompt.count + reply.count)
        var (cache, plan) = try m.takeCache(entry, prompt: prompt)
        let from = plan.reusedTokens
        cache.prefill(prompt[from...])
        cache.prefill(reply[...])
        try commit(m, entry, cache: cache, kvFrom: from, history: prompt + reply,
                   mode: messages.isEmpty ? .raw : .messages, newMessages: messages)
        return prompt.count - from
    }

    /// `commit`, waiting until the turn is durable; its error is thrown.
    func commit(_ m: SessionManager<FakeCache>, _ entry: SessionEntry<FakeCache>, cache: FakeCache, kvFrom: Int,
                history: [Int32], mode: SessionMode = .raw, newMessages: [SessionMessage] = []) throws {
        let failure = Mutex<Error?>(nil)
        m.commit(entry, cache: cache, kvFrom: kvFrom, history: history, mode: mode, newMessages: newMessages) { error in
            failure.withLock { $0 = error }
        }
        m.flushLogs()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// After a fault has been dealt with: a restart (a new manager on the same directory) finds
    /// the session with `tokens` tokens, runs a turn on it, and logs nothing (nothing left to repair).
    func assertCleanRestart(id: String, tokens: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        logs.removeAll()
        let restarted = try manager()
        XCTAssertEqual(restarted.status(id: id)?.tokens, tokens, file: file, line: line)
        XCTAssertEqual(try turn(restarted, id: id, new: [Int32(tokens + 1)]), 1, file: file, line: line)
        XCTAssertTrue(logs.isEmpty, "\(logs)", file: file, line: line)
    }
}
