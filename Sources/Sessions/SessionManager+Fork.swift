import Foundation

/// Branching a conversation (OpenAI Responses' `previous_response_id`): a new named session
/// that starts with everything another one holds. The cache is a copy-on-write value, so the
/// branch shares the source's KV memory until its first turn writes; its durable log starts
/// as a byte copy of the source's, so both branches survive restarts independently.
extension SessionManager {
    public func fork(from source: String, to target: String) throws {
        guard SessionID.isValid(source) else { throw SessionError.invalidID(source) }
        guard SessionID.isValid(target) else { throw SessionError.invalidID(target) }
        // Both stay busy while the log is copied, so neither changes and the lock is free meanwhile.
        let (from, to) = try withLock { () throws -> (SessionEntry<Cache>, SessionEntry<Cache>) in
            expireLocked()
            guard let from = named[source], !from.tokens.isEmpty || from.isOnDisk else {
                throw SessionError.notFound(id: source)
            }
            if from.busy { throw SessionError.busy(id: source) }
            if named[target] != nil || refused[target] != nil { throw SessionError.busy(id: target) }
            let to = SessionEntry<Cache>(id: target, now: config.now())
            to.tokens = from.tokens
            to.messages = from.messages
            to.mode = from.mode
            to.cache = from.cache
            to.inMemory = from.cache != nil
            to.accountedBytes = from.cache?.allocatedByteCount ?? 0
            from.busy = true
            to.busy = true
            named[target] = to
            return (from, to)
        }
        var failure: Error?
        if let end = from.logEnd, let sourcePath = logPath(id: source), let targetPath = logPath(id: target) {
            do {
                try? FileManager.default.removeItem(atPath: targetPath)
                try FileManager.default.copyItem(atPath: sourcePath, toPath: targetPath)
                to.logEnd = end
                to.diskKVBytes = from.diskKVBytes
            } catch {
                config.log("cannot copy session log \(source) to \(target): \(error)")
                failure = SessionError.io("session '\(source)' could not be copied (storage error; see the server log)")
            }
        }
        withLock {
            from.busy = false
            to.busy = false
            if failure != nil { named[target] = nil }
        }
        if let failure { throw failure }
    }

    /// Every message of a named session (messages mode), nil when there is no such session.
    public func messages(id: String) -> [SessionMessage]? {
        guard SessionID.isValid(id) else { return nil }
        return withLock {
            guard let e = named[id], !e.tokens.isEmpty || e.isOnDisk else { return nil }
            return e.messages
        }
    }
}
