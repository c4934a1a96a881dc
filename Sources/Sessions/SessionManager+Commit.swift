import Foundation

extension SessionManager {
    /// Hands the entry's cache to the running request (after `reserve`), already cut to what
    /// `prompt` can reuse (see `CachePlan`); the caller prefills `prompt[plan.reusedTokens...]`.
    /// The cache comes back through `commit` or `rollback`; moving it out of the entry avoids
    /// a copy-on-write of the whole cache.
    public func takeCache(_ entry: SessionEntry<Cache>, prompt: [Int32]) throws -> (cache: Cache, plan: CachePlan) {
        let plan = CachePlan.make(cached: entry.cachedTokens, prompt: prompt[...])
        var cache = entry.cache ?? makeCache()
        entry.cache = nil
        if cache.count > plan.reusedTokens {
            do {
                try cache.truncate(to: plan.reusedTokens)
            } catch {
                withLock { entry.inMemory = false }
                throw error
            }
        }
        return (cache, plan)
    }

    /// Records a completed turn. `history` is the whole new token history (for a named session
    /// it extends the old one); `cache` holds KV for `history[0..<cache.count]`, and its entries
    /// from `kvFrom` on are new this turn. For a named session with a state directory the turn
    /// is appended to its log and fsync'd before this returns, costing the turn's new tokens
    /// only. On a write error nothing changes and the caller rolls back.
    public func commit(_ entry: SessionEntry<Cache>, cache: Cache, kvFrom: Int, history: [Int32],
                       mode: SessionMode, newMessages: [SessionMessage]) throws {
        guard cache.count <= history.count, kvFrom <= cache.count else {
            throw SessionError.io("commit: cache of \(cache.count) tokens does not fit a history of \(history.count)")
        }
        if let id = entry.id, let path = logPath(id: id) {
            guard history.count >= entry.tokens.count, history[0..<entry.tokens.count] == entry.tokens[...] else {
                throw SessionError.io("commit: session \(id)'s new history does not extend the old one")
            }
            let record = TurnRecord(
                historyStart: entry.tokens.count, tokens: Array(history[entry.tokens.count...]),
                kvStart: kvFrom, kvTokenCount: cache.count - kvFrom,
                kvBytes: try cache.serialized(tokens: kvFrom..<cache.count),
                mode: mode, messages: newMessages)
            try checkOwnership(id: id, path: path)  // scale-out: a stale owner yields instead of writing
            let start = try entry.logEnd ?? SessionLogFile.create(
                path: path, header: SessionLog.encodeHeader(identity: config.modelIdentity, layout: config.cacheLayout))
            let end = try SessionLogFile.append(path: path, bytes: SessionLog.encodeRecord(record), at: start)
            entry.logEnd = end
            entry.diskKVBytes = end
            noteWritten(id: id, path: path)  // scale-out
        }
        withLock {
            entry.tokens = history
            entry.mode = mode
            entry.messages += newMessages
            entry.cache = cache
            entry.inMemory = true
        }
    }

    /// Gives back the cache of a turn that did not complete (cancelled or failed): the cache is
    /// cut back to `kvFrom` so it again matches the untouched history. If even that fails the
    /// cache is dropped; the history stays and is reloaded from disk or recomputed next turn.
    public func rollback(_ entry: SessionEntry<Cache>, cache: Cache, kvFrom: Int) {
        var cache = cache
        do {
            if cache.count > kvFrom { try cache.truncate(to: kvFrom) }
            entry.cache = cache
        } catch {
            config.log("rollback of \(entry.id ?? "an anonymous cache") dropped its cache: \(error)")
            withLock {
                entry.cache = nil
                entry.inMemory = false
            }
        }
    }
}
