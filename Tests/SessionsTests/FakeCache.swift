import Foundation
@testable import Sessions

/// A stand-in KV cache: one row [token, position] per token, 100 "bytes" each, so session
/// logic (budget, eviction, logs, replay) is tested without the model.
struct FakeCache: SessionCache, Equatable {
    static let bytesPerToken = 100
    var rows: [[Float]] = []

    var count: Int { rows.count }
    var byteCount: Int { rows.count * Self.bytesPerToken }

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
            rows.append(row)
        }
    }

    /// What "running the model" on `tokens` does to the fake cache.
    mutating func prefill(_ tokens: ArraySlice<Int32>) {
        for t in tokens { rows.append([Float(t), Float(rows.count)]) }
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
            budgetBytes: budgetTokens * FakeCache.bytesPerToken, bytesPerToken: FakeCache.bytesPerToken,
            stateDirectory: dir, ttl: ttl, anonymousPoolSize: pool, modelIdentity: identity,
            cacheLayout: layout, log: { [unowned self] in self.logs.append($0) }, now: { [unowned self] in self.now })
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
        try m.reserve(entry, totalTokens: prompt.count + reply.count)
        var (cache, plan) = try m.takeCache(entry, prompt: prompt)
        let from = plan.reusedTokens
        cache.prefill(prompt[from...])
        cache.prefill(reply[...])
        try m.commit(entry, cache: cache, kvFrom: from, history: prompt + reply,
                     mode: messages.isEmpty ? .raw : .messages, newMessages: messages)
        return prompt.count - from
    }
}
