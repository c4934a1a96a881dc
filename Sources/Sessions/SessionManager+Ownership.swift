import Foundation

// Scale-out hooks (see SessionOwnership): the few points where SessionManager meets a state
// directory shared with other replicas. Each is one call from the manager's own code.
extension SessionManager {
    /// After `checkout` marked the entry busy: take the session's lock (409 while another
    /// replica runs a turn on it), then make the entry match the log. A log another replica
    /// wrote since this one last saw it is read again (history now; the KV rows by `reserve`,
    /// from the log, without running the model): this is how a session moves between replicas.
    func claim(_ entry: SessionEntry<Cache>) throws {
        guard let ownership, let id = entry.id, let path = logPath(id: id) else { return }
        guard try ownership.acquire(id: id) else { throw SessionError.busy(id: id) }
        do {
            try refresh(entry, id: id, path: path, ownership: ownership)
        } catch {
            ownership.release(id: id)
            throw error
        }
    }

    private func refresh(_ entry: SessionEntry<Cache>, id: String, path: String, ownership: SessionOwnership) throws {
        let now = LogStamp.of(path: path)
        // Never seen by this replica's ownership: the entry's own view (discovery, fork) counts.
        let known = ownership.lastSeen(id: id)
            ?? (withLock { entry.logEnd }.map { LogStamp(exists: true, size: $0) } ?? .missing)
        let unchanged = known.exists == now.exists && (known.inode == 0 ? known.size == now.size : known == now)
        if unchanged {
            ownership.remember(id: id, now)
            return
        }
        if now.exists {
            let contents = try logLoader.readHistory(id: id, path: path)
            withLock {
                if entry.logEnd != nil || entry.cache != nil {
                    config.log("session \(id): its log was written by another replica; reloading it")
                } else {
                    config.log("session \(id): taking it over from its log")
                }
                apply(contents, to: entry)
                dropCacheLocked(entry)
            }
        } else {
            withLock {
                if entry.logEnd != nil { config.log("session \(id): its log was deleted by another replica") }
                entry.tokens = []
                entry.messages = []
                entry.mode = .empty
                entry.logEnd = nil
                entry.diskKVBytes = 0
                dropCacheLocked(entry)
            }
        }
        ownership.remember(id: id, now)
    }

    private func dropCacheLocked(_ entry: SessionEntry<Cache>) {
        entry.cache = nil
        entry.inMemory = false
        entry.accountedBytes = 0
    }

    /// In `release`, under the manager's lock and before the entry stops being busy, so no
    /// second checkout of the same session can see the lock as still held.
    func relinquishLocked(_ entry: SessionEntry<Cache>) {
        if let id = entry.id { ownership?.release(id: id) }
    }

    /// Before a log write (commit): this replica still owns the session and the log is as it
    /// last saw it; otherwise it yields with `.busy` and the turn is rolled back.
    func checkOwnership(id: String, path: String) throws {
        try ownership?.checkWritable(id: id, logPath: path, log: config.log)
    }

    /// After a log write: this replica's own write is not someone else's change.
    func noteWritten(id: String, path: String) {
        ownership?.remember(id: id, LogStamp.of(path: path))
    }

    /// Before `delete`: the session's lock (busy here or on another replica: 409), and a log
    /// written by another replica becomes known so it can be deleted. Returns whether a lock
    /// was taken; the caller releases it with `releaseAfterDelete`.
    func claimForDelete(id: String) throws -> Bool {
        guard let ownership, let path = logPath(id: id) else { return false }
        guard try ownership.acquire(id: id) else { throw SessionError.busy(id: id) }
        if withLock({ named[id] == nil && refused[id] == nil }), LogStamp.of(path: path).exists {
            do {
                let contents = try logLoader.readHistory(id: id, path: path)
                let entry = SessionEntry<Cache>(id: id, now: config.now())
                apply(contents, to: entry)
                withLock { if named[id] == nil { named[id] = entry } }
            } catch {
                withLock { refused[id] = "\(error)" }
            }
        }
        return true
    }

    func releaseAfterDelete(id: String) {
        ownership?.release(id: id, removeFile: true)
    }

    /// In `removeLogLocked` (delete and TTL expiry): with a shared state directory a replica
    /// removes a log only while it owns the session and nobody wrote it since it last looked;
    /// an idle session another replica has taken over is only forgotten here.
    func removeLogIfOwnedLocked(id: String, path: String) {
        guard let ownership else { return SessionLogFile.remove(path: path) }
        if ownership.owns(id: id) { return SessionLogFile.remove(path: path) }
        guard (try? ownership.acquire(id: id)) == true else { return }
        let unchanged = ownership.lastSeen(id: id) == LogStamp.of(path: path)
        if unchanged {
            SessionLogFile.remove(path: path)
        } else {
            config.log("session \(id): not removing its log, another replica wrote it since")
        }
        ownership.release(id: id, removeFile: unchanged)
    }
}
