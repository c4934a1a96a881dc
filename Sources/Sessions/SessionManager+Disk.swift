import Foundation

extension SessionManager {
    static var logSuffix: String { ".kvlog" }

    func logPath(id: String) -> String? {
        guard let dir = config.stateDirectory, SessionID.isValid(id) else { return nil }
        return (dir as NSString).appendingPathComponent(id + Self.logSuffix)
    }

    /// Finds session logs left by an earlier run. Only each log's header and its records'
    /// history parts (tokens, messages) are read now, with positioned reads; the KV bytes and
    /// checksums are read on first use (`load`).
    func discover(directory: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.sorted() {
            if name.hasSuffix(Self.logSuffix + ".tmp") {
                // A create that crashed before its rename: never acknowledged, holds no turn.
                unlink((directory as NSString).appendingPathComponent(name))
                continue
            }
            guard name.hasSuffix(Self.logSuffix) else { continue }
            let id = String(name.dropLast(Self.logSuffix.count))
            guard SessionID.isValid(id), let path = logPath(id: id) else {
                config.log("ignoring \(name) in the state directory: not a valid session id")
                continue
            }
            do {
                let contents = try logLoader.readHistory(id: id, path: path)
                let entry = SessionEntry<Cache>(id: id, now: modificationDate(path) ?? config.now())
                apply(contents, to: entry)
                named[id] = entry
            } catch let SessionError.refused(_, reason) {
                refused[id] = reason
                config.log("session \(id): log refused: \(reason)")
            } catch {
                refused[id] = "unreadable"
                config.log("session \(id): log refused: \(error)")
            }
        }
    }

    /// The reader a restart runs on each log (shared with the session-log fuzz harness).
    var logLoader: SessionLogLoader<Cache> {
        SessionLogLoader(identity: config.modelIdentity, layout: config.cacheLayout,
                         convertible: config.convertibleLayouts, log: config.log)
    }

    func apply(_ contents: SessionLog.Contents, to entry: SessionEntry<Cache>) {
        entry.tokens = contents.tokens
        entry.messages = contents.records.flatMap(\.messages)
        entry.mode = contents.records.last?.mode ?? .empty
        entry.logEnd = contents.validEnd
        entry.diskKVBytes = contents.validEnd
    }

    /// Rebuilds a session's cache from its log without running the model: each record's KV
    /// bytes read in order straight into a cache of `capacity` tokens (one allocation, inside
    /// the reservation the caller holds). Called on the busy entry, outside the lock.
    /// Damage found now (a checksum, a bad record) is cut off the log and thrown as `.damaged`
    /// after the entry holds what was kept, so the client hears of it once.
    func load(_ entry: SessionEntry<Cache>, capacity: Int) throws -> Cache {
        var cache = makeCache()
        guard let id = entry.id, entry.isOnDisk, let path = logPath(id: id) else { return cache }
        cache.reserveCapacity(capacity)
        let contents: SessionLog.Contents
        do {
            contents = try logLoader.readCache(id: id, path: path, into: &cache)
        } catch let error as LogFileError {
            config.log("session \(id): cannot read its log: \(error)")
            throw SessionError.io("session '\(id)': its log cannot be read")
        }
        withLock {
            apply(contents, to: entry)
            entry.cache = cache
            entry.inMemory = true
            restores += 1
        }
        if contents.isDamaged { throw SessionError.damaged(id: id, lostFromTurn: contents.records.count + 1) }
        return cache
    }

    /// Unlinks a log and fsyncs the directory: called on `logQueue`, never under the lock.
    func removeLog(id: String) {
        guard let path = logPath(id: id) else { return }
        removeLogIfOwnedLocked(id: id, path: path)  // scale-out: only a log this replica owns
    }

    private func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
