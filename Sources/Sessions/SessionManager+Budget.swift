import Foundation

extension SessionManager {
    /// Makes room for `entry` to hold `totalTokens` tokens and puts its cache in memory
    /// (loading it from the session log when it lives on disk). Idle caches are evicted least
    /// recently used first: a logged session only drops its memory (its log is already
    /// complete), anything else is dropped whole. Every eviction is counted and logged.
    /// A request that alone needs more than the budget is refused with the numbers.
    public func reserve(_ entry: SessionEntry<Cache>, totalTokens: Int) throws {
        let needed = totalTokens * config.bytesPerToken
        if needed > config.budgetBytes {
            throw SessionError.budgetExceeded(needed: needed, budget: config.budgetBytes)
        }
        withLock {
            entry.accountedBytes = max(needed, entry.cache?.byteCount ?? 0)
            evictLocked(toFit: entry)
        }
        if entry.cache == nil {
            entry.cache = try load(entry)
        }
        withLock { entry.inMemory = true }
    }

    /// Bytes the budget currently counts.
    public var usedBytes: Int {
        withLock { allEntriesLocked().reduce(0) { $0 + $1.accountedBytes } }
    }

    private func allEntriesLocked() -> [SessionEntry<Cache>] {
        Array(named.values) + anonymous
    }

    private func evictLocked(toFit entry: SessionEntry<Cache>) {
        let entries = allEntriesLocked()
        var used = entries.reduce(0) { $0 + $1.accountedBytes }
        let victims = entries.filter { !$0.busy && $0 !== entry && $0.cache != nil }
            .sorted { $0.lastUsed < $1.lastUsed }
        for victim in victims where used > config.budgetBytes {
            used -= victim.accountedBytes
            evictLocked(victim)
        }
        if used > config.budgetBytes {
            config.log("KV budget over by \(used - config.budgetBytes) bytes: the rest is held by busy sessions")
        }
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
}
