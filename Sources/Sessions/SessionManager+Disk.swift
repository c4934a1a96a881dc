import Foundation

extension SessionManager {
    static var logSuffix: String { ".kvlog" }

    func logPath(id: String) -> String? {
        guard let dir = config.stateDirectory, SessionID.isValid(id) else { return nil }
        return (dir as NSString).appendingPathComponent(id + Self.logSuffix)
    }

    /// Finds session logs left by an earlier run. Their history and messages are read now
    /// (checked record by record); their KV bytes are read on first use.
    func discover(directory: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.sorted() where name.hasSuffix(Self.logSuffix) {
            let id = String(name.dropLast(Self.logSuffix.count))
            guard SessionID.isValid(id), let path = logPath(id: id) else {
                config.log("ignoring \(name) in the state directory: not a valid session id")
                continue
            }
            do {
                let contents = try readLog(id: id, path: path, includeKV: false)
                let entry = SessionEntry<Cache>(id: id, now: modificationDate(path) ?? config.now())
                apply(contents, to: entry)
                named[id] = entry
            } catch {
                refused[id] = "\(error)"
                config.log("\(error)")
            }
        }
    }

    func readLog(id: String, path: String, includeKV: Bool) throws -> SessionLog.Contents {
        let contents = try SessionLog.read(path: path, id: id, identity: config.modelIdentity,
                                           layout: config.cacheLayout, includeKV: includeKV)
        if let problem = contents.problem {
            config.log("session \(id): ignoring the log after its last valid turn "
                + "(\(contents.records.count) turns kept): \(problem)")
        }
        return contents
    }

    func apply(_ contents: SessionLog.Contents, to entry: SessionEntry<Cache>) {
        entry.tokens = contents.records.flatMap(\.tokens)
        entry.messages = contents.records.flatMap(\.messages)
        entry.mode = contents.records.last?.mode ?? .empty
        entry.logEnd = contents.validEnd
        entry.diskKVBytes = contents.validEnd
    }

    /// Rebuilds a session's cache from its log without running the model: each record's KV
    /// bytes appended in order. Called on the busy entry, outside the lock.
    func load(_ entry: SessionEntry<Cache>) throws -> Cache {
        var cache = makeCache()
        guard let id = entry.id, entry.isOnDisk, let path = logPath(id: id) else { return cache }
        let contents = try readLog(id: id, path: path, includeKV: true)
        for record in contents.records {
            if cache.count > record.kvStart { try cache.truncate(to: record.kvStart) }
            try cache.appendSerialized(record.kvBytes, tokenCount: record.kvTokenCount)
        }
        withLock {
            apply(contents, to: entry)
            restores += 1
        }
        return cache
    }

    func removeLogLocked(id: String) {
        guard let path = logPath(id: id) else { return }
        removeLogIfOwnedLocked(id: id, path: path)  // scale-out: only a log this replica owns
    }

    private func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
