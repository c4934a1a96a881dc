import Foundation

/// Named sessions and anonymous prefix caches under one memory budget.
///
/// Life of a turn: `checkout` (busy, at submit) -> `reserve` (budget, eviction, load from
/// disk; on the worker) -> the caller runs the model on `entry.cache` -> `commit` (history +
/// durable log record, written on `logQueue`) or `rollback` -> `release`. All bookkeeping is
/// behind one lock; model work and file I/O happen outside it on the busy entry, which nobody
/// else touches (files are deleted and fsync'd with the lock released).
// @unchecked: bookkeeping behind `lock`; file I/O on `logQueue`/`loadQueue` on busy entries only.
public final class SessionManager<Cache: SessionCache>: @unchecked Sendable {
    public let config: SessionManagerConfig
    let makeCache: () -> Cache
    /// An empty cache, asked for sizes (bytes per token come from the cache, not from here).
    let probe: Cache
    /// Writes and fsyncs turn records off the model worker, one at a time, in commit order.
    let logQueue = DispatchQueue(label: "kvserve-session-log")
    /// Marks `logQueue`, so a wait for it from a block already on it (a final-event handler
    /// that deletes a session runs there) does not deadlock.
    let logQueueKey = DispatchSpecificKey<Bool>()
    /// Reads disk sessions back into memory off the model worker (see `reserve`).
    let loadQueue = DispatchQueue(label: "kvserve-session-load")
    let lock = NSLock()
    /// Bytes of caches freed since malloc was last asked to return memory (see `returnFreedMemory`).
    var freedSinceTrim = 0
    var named: [String: SessionEntry<Cache>] = [:]
    var anonymous: [SessionEntry<Cache>] = []
    /// Ids whose log on disk was refused at discovery, with the reason (kept so a request for
    /// them gets the reason instead of silently overwriting the file).
    var refused: [String: String] = [:]
    var evictions = 0
    /// Caches rebuilt from a session log (after eviction or a restart).
    var restores = 0
    /// Per-session locks in a state directory shared by replicas (SessionManager+Ownership.swift).
    let ownership: SessionOwnership?

    public init(config: SessionManagerConfig, makeCache: @escaping () -> Cache) throws {
        self.config = config
        self.makeCache = makeCache
        probe = makeCache()
        logQueue.setSpecific(key: logQueueKey, value: true)
        ownership = config.stateDirectory.map { SessionOwnership(stateDirectory: $0, ownerName: ProcessInfo.processInfo.hostName) }
        if let dir = config.stateDirectory {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw SessionError.io("cannot create state directory \(dir): \(error)")
            }
            discover(directory: dir)
        }
    }

    public var evictionCount: Int { withLock { evictions } }

    /// Marks the session busy for one request, creating it on first use.
    public func checkout(id: String) throws -> SessionEntry<Cache> {
        guard SessionID.isValid(id) else { throw SessionError.invalidID(id) }
        let entry = try withLock {
            expireLocked()
            if let reason = refused[id] { throw SessionError.refused(id: id, reason: reason) }
            let entry = named[id] ?? SessionEntry(id: id, now: config.now())
            if entry.busy { throw SessionError.busy(id: id) }
            entry.busy = true
            named[id] = entry
            return entry
        }
        // Scale-out: the session's lock in a shared state directory, and its log re-read if another replica wrote it.
        do { try claim(entry) } catch { release(entry); throw error }
        return entry
    }

    /// The idle anonymous cache sharing the longest prefix with `prompt`, or a new empty one.
    public func checkoutAnonymous(prompt: [Int32]) -> SessionEntry<Cache> {
        withLock {
            expireLocked()
            var best: SessionEntry<Cache>?
            var bestReuse = 0
            for e in anonymous where !e.busy {
                let reuse = CachePlan.make(cached: e.cachedTokens, prompt: prompt[...]).reusedTokens
                if reuse > bestReuse { (best, bestReuse) = (e, reuse) }
            }
            let entry = best ?? SessionEntry<Cache>(id: nil, now: config.now())
            entry.busy = true
            if best == nil { anonymous.append(entry) }
            return entry
        }
    }

    /// Ends a request's hold on the entry. An anonymous pool over its size drops its LRU idle
    /// caches; a named session that never completed a turn is forgotten.
    public func release(_ entry: SessionEntry<Cache>) {
        let before = entry.cache?.allocatedByteCount ?? 0
        let cache = entry.cache.map(trimmed)
        let trimmedBytes = before - (cache?.allocatedByteCount ?? 0)
        withLock {
            entry.cache = cache
            relinquishLocked(entry)  // scale-out: gives up the session's lock before it stops being busy
            entry.busy = false
            entry.reserved = false
            entry.lastUsed = config.now()
            entry.accountedBytes = entry.cache?.allocatedByteCount ?? 0
            if let id = entry.id, entry.tokens.isEmpty, !entry.isOnDisk, named[id] === entry {
                named[id] = nil
            }
            var idle = anonymous.filter { !$0.busy }.sorted { $0.lastUsed < $1.lastUsed }
            while anonymous.count > max(config.anonymousPoolSize, 0), let oldest = idle.first {
                idle.removeFirst()
                anonymous.removeAll { $0 === oldest }
            }
        }
        returnFreedMemory(trimmedBytes)
    }

    /// Why the session's log was refused at start-up, as a turn on it would be answered.
    public func refusal(id: String) -> SessionError? {
        withLock { refused[id].map { SessionError.refused(id: id, reason: $0) } }
    }

    public func list() -> [SessionStatus] {
        withLock {
            expireLocked()
            return named.values.filter { !$0.tokens.isEmpty || $0.isOnDisk }
                .map(statusLocked).sorted { $0.id < $1.id }
        }
    }

    public func status(id: String) -> SessionStatus? {
        guard SessionID.isValid(id) else { return nil }
        return withLock {
            expireLocked()
            guard let e = named[id], !e.tokens.isEmpty || e.isOnDisk else { return nil }
            return statusLocked(e)
        }
    }

    /// Removes the session from memory and disk.
    public func delete(id: String) throws {
        guard SessionID.isValid(id) else { throw SessionError.invalidID(id) }
        // Scale-out: the session's lock (409 while any replica runs it); a log written elsewhere becomes known.
        let claimed = try claimForDelete(id: id)
        defer { if claimed { releaseAfterDelete(id: id) } }
        try withLock {
            if refused.removeValue(forKey: id) == nil {
                if named[id]?.busy == true { throw SessionError.busy(id: id) }
                guard let e = named[id], !e.tokens.isEmpty || e.isOnDisk else { throw SessionError.notFound(id: id) }
                named[id] = nil
            }
            // Queued under the lock, so a later turn of a new session with this id writes after it.
            logQueue.async { self.removeLog(id: id) }
        }
        waitForLogQueue()  // the file is gone when the caller answers
    }

    /// Waits until the log queue's earlier work is done; when called on that queue itself,
    /// returns at once (the caller's own block runs first).
    func waitForLogQueue() {
        if DispatchQueue.getSpecific(key: logQueueKey) == nil { logQueue.sync {} }
    }

    /// Deletes idle sessions and anonymous caches unused for longer than the TTL.
    public func expireIdle() {
        withLock { expireLocked() }
    }

    /// Forgets expired entries now; their logs are removed by `logQueue`, outside the lock,
    /// in order with any write (a re-created session's first write comes after the removal).
    func expireLocked() {
        guard config.ttl > 0 else { return }
        let cutoff = config.now().addingTimeInterval(-config.ttl)
        for (id, e) in named where !e.busy && e.lastUsed < cutoff {
            config.log("session \(id) expired (idle since \(e.lastUsed))")
            named[id] = nil
            if e.isOnDisk { logQueue.async { self.removeLog(id: id) } }
        }
        anonymous.removeAll { !$0.busy && $0.lastUsed < cutoff }
    }

    private func statusLocked(_ e: SessionEntry<Cache>) -> SessionStatus {
        let inMemory = e.inMemory
        return SessionStatus(id: e.id ?? "", tokens: e.tokens.count,
                             kvBytes: inMemory ? e.accountedBytes : e.diskKVBytes,
                             inMemory: inMemory, lastUsed: e.lastUsed)
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
