import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The KV budget: one ledger, here, of allocated bytes (capacity, as each cache reports it).
/// An idle entry counts its cache's allocation; a running turn counts its reservation, made
/// before it runs and sized by the cache itself (`allocatedBytes(forTokens:)`); the cache then
/// reserves exactly that capacity, so it never grows past what was counted. The engine asks
/// here both whether a request can ever run (`bytesNeeded`, `checkFits`) and whether it can
/// start now (`reserve` answers false while running turns hold the room).
extension SessionManager {
    /// Bytes a turn holding `tokens` tokens needs, `copies` times (n choices fork the cache).
    public func bytesNeeded(tokens: Int, copies: Int = 1) -> Int {
        probe.allocatedBytes(forTokens: tokens) * max(copies, 1)
    }

    /// Throws `.budgetExceeded` when `bytes` alone exceed the whole budget.
    public func checkFits(bytes: Int) throws {
        if bytes > config.budgetBytes { throw SessionError.budgetExceeded(needed: bytes, budget: config.budgetBytes) }
    }

    /// What `reserve` did.
    public enum Reservation: Equatable, Sendable {
        /// The entry's cache is in memory with the reserved capacity: the turn can run.
        case ready
        /// Running turns hold the room; nothing changed: ask again when one ends.
        case deferred
        /// Room reserved; the cache is being read from its log on `loadQueue`. `loaded` is
        /// called when done: ask again then (a load error is thrown by that call).
        case loading
    }

    /// Makes room for a turn of `tokens` tokens (`copies` caches) and puts the entry's cache in
    /// memory with that capacity, loading it from the session log when it lives on disk: on
    /// `loadQueue` when `loaded` is given (the model worker never waits on the disk), else here.
    /// Answers `.deferred`, changing nothing, when the running turns' reservations leave no
    /// room and `alone` is false. Idle caches are evicted least recently used first: a logged
    /// session only drops its memory (its log is complete), anything else is dropped whole.
    public func reserve(_ entry: SessionEntry<Cache>, tokens: Int, copies: Int = 1, alone: Bool = true,
                        loaded: (@Sendable () -> Void)? = nil) throws -> Reservation {
        if let error = entry.loadError {
            entry.loadError = nil
            throw error
        }
        let needed = bytesNeeded(tokens: tokens, copies: copies)
        try checkFits(bytes: needed)
        let freed: Int? = withLock {
            let running = allEntriesLocked().filter { $0.reserved && $0 !== entry }.reduce(0) { $0 + $1.accountedBytes }
            if !alone && running + needed > config.budgetBytes { return nil }
            entry.reserved = true
            entry.accountedBytes = max(needed, entry.cache?.allocatedByteCount ?? 0)
            return evictLocked(toFit: entry)
        }
        guard let freed else { return .deferred }
        returnFreedMemory(freed)
        if entry.cache == nil, entry.isOnDisk, let loaded {
            loadQueue.async {
                do {
                    _ = try self.load(entry, capacity: tokens)
                } catch {
                    entry.loadError = error
                }
                loaded()
            }
            return .loading
        }
        var cache = try entry.cache ?? load(entry, capacity: tokens)
        cache.reserveCapacity(tokens)
        entry.cache = cache
        withLock { entry.inMemory = true }
        return .ready
    }

    /// Bytes the budget currently counts.
    public var usedBytes: Int {
        withLock { allEntriesLocked().reduce(0) { $0 + $1.accountedBytes } }
    }

    /// After a turn: gives back a cache's unused capacity when that is worth a copy (over a
    /// quarter of it), so idle sessions count (and hold) little more than their tokens.
    func trimmed(_ cache: Cache) -> Cache {
        let slack = cache.allocatedByteCount - cache.allocatedBytes(forTokens: cache.count)
        guard slack > cache.allocatedByteCount / 4 else { return cache }
        var cache = cache
        cache.shrinkToFit()
        return cache
    }

    func allEntriesLocked() -> [SessionEntry<Cache>] {
        Array(named.values) + anonymous
    }

    /// Evicts idle caches until the ledger fits; returns the bytes freed.
    private func evictLocked(toFit entry: SessionEntry<Cache>) -> Int {
        let entries = allEntriesLocked()
        var used = entries.reduce(0) { $0 + $1.accountedBytes }
        var freed = 0
        let victims = entries.filter { !$0.busy && $0 !== entry && $0.cache != nil }
            .sorted { $0.lastUsed < $1.lastUsed }
        for victim in victims where used > config.budgetBytes {
            used -= victim.accountedBytes
            freed += victim.accountedBytes
            evictLocked(victim)
        }
        if used > config.budgetBytes {
            config.log("KV budget over by \(used - config.budgetBytes) bytes: the rest is held by busy sessions")
        }
        return freed
    }

    private func evictLocked(_ victim: SessionEntry<Cache>) {
        evictions += 1
        victim.cache = nil
        victim.inMemory = false
        victim.accountedBytes = 0
        guard let id = victim.id else {
            anonymous.removeAll { $0 === victim }
            config.log("evicted an anonymous prefix cache (\(victim.tokens.count) tokens)")
            return
        }
        if victim.isOnDisk {
            config.log("evicted session \(id) from memory (\(victim.tokens.count) tokens, kept on disk)")
        } else {
            named[id] = nil
            config.log("evicted session \(id) (\(victim.tokens.count) tokens, dropped: no state directory)")
        }
    }

    /// Freed caches go back to malloc, which keeps small and medium blocks in its arenas; past a
    /// few MiB freed, ask glibc to return free pages to the system so RSS follows the budget.
    func returnFreedMemory(_ bytes: Int) {
        guard bytes > 0 else { return }
        let due: Bool = withLock {
            freedSinceTrim += bytes
            guard freedSinceTrim >= 4 << 20 else { return false }
            freedSinceTrim = 0
            return true
        }
        if due { MallocTrim.run() }
    }
}

/// glibc's `malloc_trim` (not in the Glibc module map: looked up once at run time; a no-op
/// where the C library has none).
enum MallocTrim {
    private typealias Function = @convention(c) (Int) -> Int32
    private static let function: Function? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
        #else
        return nil
        #endif
    }()

    static func run() { _ = function?(0) }
}
