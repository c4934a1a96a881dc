import Foundation

/// One conversation (or, with `id == nil`, one anonymous prefix-reuse cache).
///
/// Ownership: while `busy`, the request that checked it out is the only writer of `cache`
/// and of the log fields; `tokens`, `mode` and `messages` change only inside the manager's
/// lock. Invariant: `cache` holds the KV entries of `tokens[0..<cache.count]`; the history
/// may run one token ahead of the cache (the last sampled token, prefilled next turn).
// @unchecked: see "Ownership" above (the busy holder, or the manager's lock).
public final class SessionEntry<Cache: SessionCache>: @unchecked Sendable {
    public let id: String?
    public internal(set) var tokens: [Int32] = []
    /// nil while the session lives only on disk (never loaded, or evicted).
    public var cache: Cache?
    public internal(set) var mode: SessionMode = .empty
    /// Every message so far, generated replies included (messages mode).
    public internal(set) var messages: [SessionMessage] = []
    public internal(set) var lastUsed: Date

    var busy = false
    /// Location as listed: true once the cache is in memory, false while it lives only on disk.
    /// Kept apart from `cache` because a running request holds the cache outside the entry.
    var inMemory = false
    /// What the budget counts for this entry: its cache's allocated bytes, or while it runs its
    /// reservation (at least that).
    var accountedBytes = 0
    /// Between `reserve` and `release`: `accountedBytes` is a running turn's reservation.
    var reserved = false
    /// Why the last background load failed; thrown by the next `reserve` (busy entry only).
    var loadError: Error?
    /// Log state (named sessions with a state directory): nil until the first turn is written.
    var logEnd: Int?
    var diskKVBytes = 0

    init(id: String?, now: Date) {
        self.id = id
        self.lastUsed = now
    }

    /// Tokens the cache covers: the part of the history a plan can reuse.
    public var cachedTokens: ArraySlice<Int32> {
        tokens[0..<min(cache?.count ?? 0, tokens.count)]
    }

    public var isOnDisk: Bool { logEnd != nil }
}

public struct SessionStatus: Sendable {
    public var id: String
    public var tokens: Int
    public var kvBytes: Int
    public var inMemory: Bool
    public var lastUsed: Date
}

public struct SessionManagerConfig {
    /// Byte budget over every cache the manager holds (named and anonymous), in allocated bytes.
    public var budgetBytes: Int
    /// Where session logs live; nil keeps sessions in memory only (evicted = dropped).
    public var stateDirectory: String?
    /// Idle sessions older than this are deleted (memory and disk); <= 0 disables.
    public var ttl: TimeInterval
    /// How many anonymous caches to keep for prefix reuse by stateless requests.
    public var anonymousPoolSize: Int
    /// Fingerprint of the model file; a log from another identity is refused.
    public var modelIdentity: String
    /// Cache element layout (layers, KV width, element type); a log with another layout is refused.
    public var cacheLayout: String
    /// Other layouts whose logs load anyway, their KV converted by the cache (e.g. the same
    /// model's cache in another element type).
    public var convertibleLayouts: [String] = []
    public var log: (String) -> Void
    public var now: () -> Date

    public init(budgetBytes: Int, stateDirectory: String? = nil, ttl: TimeInterval = 3600,
                anonymousPoolSize: Int = 4, modelIdentity: String, cacheLayout: String,
                log: @escaping (String) -> Void = { FileHandle.standardError.write(Data(("kvserve sessions: " + $0 + "\n").utf8)) },
                now: @escaping () -> Date = Date.init) {
        self.budgetBytes = budgetBytes
        self.stateDirectory = stateDirectory
        self.ttl = ttl
        self.anonymousPoolSize = anonymousPoolSize
        self.modelIdentity = modelIdentity
        self.cacheLayout = cacheLayout
        self.log = log
        self.now = now
    }
}
