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

    /// Records a completed turn and calls `durable` once it is kept: `nil`, or the error that
    /// left the session as it was before the turn. `history` is the whole new token history
    /// (for a named session it extends the old one); `cache` holds KV for
    /// `history[0..<cache.count]`, and its entries from `kvFrom` on are new this turn.
    ///
    /// For a named session with a state directory, the record (the turn's new tokens only) is
    /// encoded here, then written and fsync'd on `logQueue`, and `durable` runs there after the
    /// fsync: the caller's thread (the model worker) never waits on the disk, and whatever
    /// `durable` sends (the final event) is sent only once the turn is on disk. Otherwise
    /// `durable` runs before this returns. The entry stays busy until the caller releases it.
    public func commit(_ entry: SessionEntry<Cache>, cache: Cache, kvFrom: Int, history: [Int32],
                       mode: SessionMode, newMessages: [SessionMessage], durable: @escaping @Sendable (Error?) -> Void) {
        guard cache.count <= history.count, kvFrom <= cache.count else {
            rollback(entry, cache: cache, kvFrom: kvFrom)
            return durable(SessionError.io("commit: cache of \(cache.count) tokens does not fit a history of \(history.count)"))
        }
        guard let id = entry.id, let path = logPath(id: id) else {
            apply(entry, cache: cache, history: history, mode: mode, newMessages: newMessages, logEnd: nil)
            return durable(nil)
        }
        let bytes: [UInt8]
        do {
            guard history.count >= entry.tokens.count, history[0..<entry.tokens.count] == entry.tokens[...] else {
                throw SessionError.io("commit: session \(id)'s new history does not extend the old one")
            }
            let record = TurnRecord(
                historyStart: entry.tokens.count, tokens: Array(history[entry.tokens.count...]),
                kvStart: kvFrom, kvTokenCount: cache.count - kvFrom,
                kvBytes: try cache.serialized(tokens: kvFrom..<cache.count),
                mode: mode, messages: newMessages)
            bytes = SessionLog.encodeRecord(record)
        } catch {
            rollback(entry, cache: cache, kvFrom: kvFrom)
            return durable(error)
        }
        // The cache goes back into the (still busy) entry now; only a failed write cuts it back.
        entry.cache = cache
        let start = entry.logEnd
        logQueue.async {
            do {
                try self.checkOwnership(id: id, path: path)  // scale-out: a stale owner yields instead of writing
                let end = try self.write(bytes, id: id, path: path, at: start)
                self.noteWritten(id: id, path: path)  // scale-out
                self.apply(entry, cache: nil, history: history, mode: mode, newMessages: newMessages, logEnd: end)
                durable(nil)
            } catch {
                if let cache = entry.cache { self.rollback(entry, cache: cache, kvFrom: kvFrom) }
                durable(error)
            }
        }
    }

    /// Waits until every queued log write and removal is done (shutdown, tests).
    public func flushLogs() {
        waitForLogQueue()
    }

    /// Appends one record (creating the log first); file errors are logged in full here and
    /// thrown as what a client may read: `.storageFull` or a plain `.io`.
    private func write(_ record: [UInt8], id: String, path: String, at start: Int?) throws -> Int {
        do {
            let offset = try start ?? SessionLogFile.create(
                path: path, header: SessionLog.encodeHeader(identity: config.modelIdentity, layout: config.cacheLayout))
            return try SessionLogFile.append(path: path, bytes: record, at: offset)
        } catch let error as LogFileError {
            config.log("session \(id): turn not saved: \(error)")
            if error.isNoSpace { throw SessionError.storageFull(id: id) }
            throw SessionError.io("session '\(id)': the turn could not be saved (storage error; see the server log)")
        }
    }

    private func apply(_ entry: SessionEntry<Cache>, cache: Cache?, history: [Int32], mode: SessionMode,
                       newMessages: [SessionMessage], logEnd: Int?) {
        withLock {
            entry.tokens = history
            entry.mode = mode
            entry.messages += newMessages
            if let cache { entry.cache = cache }
            entry.inMemory = true
            if let logEnd {
                entry.logEnd = logEnd
                entry.diskKVBytes = logEnd
            }
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
