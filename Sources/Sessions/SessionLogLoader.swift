/// What a restart does with one session log, apart from the manager's bookkeeping: read its
/// history at discovery, and rebuild its cache from the KV bytes on first use. The manager
/// calls these (SessionManager+Disk.swift); the session-log fuzz harness calls them directly,
/// so it runs the same reader without a manager's queues, locks and directory scan per input.
struct SessionLogLoader<Cache: SessionCache> {
    var identity: String
    var layout: String
    /// Other layouts whose logs load anyway (converted by the cache).
    var convertible: [String] = []
    var log: (String) -> Void

    /// Header and each record's history part (tokens, messages); the KV bytes are skipped,
    /// so their checksums are checked by `readCache`.
    func readHistory(id: String, path: String) throws -> SessionLog.Contents {
        try read(id: id, path: path, kv: nil)
    }

    /// Reads every record's KV bytes straight into `cache` (the caller reserved its capacity)
    /// and cuts the cache back to the last record kept. A damaged log (bad bytes inside it,
    /// not a partial last record) is cut on disk to its last good record, so the damage is
    /// reported once; the caller tells the client (`contents.isDamaged`).
    func readCache(id: String, path: String, into cache: inout Cache) throws -> SessionLog.Contents {
        let contents = try withUnsafeMutablePointer(to: &cache) { cache in
            try read(id: id, path: path) { (record: TurnRecord, region: inout KVRegion) throws in
                if cache.pointee.count > record.kvStart { try cache.pointee.truncate(to: record.kvStart) }
                try cache.pointee.appendSerialized(tokenCount: record.kvTokenCount) { try region.read(into: $0) }
            }
        }
        try cache.truncate(to: contents.records.last.map { $0.kvStart + $0.kvTokenCount } ?? 0)
        if contents.isDamaged {
            do {
                try SessionLogFile.truncate(path: path, to: contents.validEnd)
            } catch {
                log("session \(id): cannot cut the damaged log: \(error)")
            }
        }
        return contents
    }

    private func read(id: String, path: String, kv: ((TurnRecord, inout KVRegion) throws -> Void)?) throws -> SessionLog.Contents {
        let contents = try SessionLog.read(path: path, id: id, identity: identity, layout: layout,
                                           convertible: convertible, kv: kv)
        if let problem = contents.problem {
            log("session \(id): ignoring the log after its last valid turn "
                + "(\(contents.records.count) turns kept): \(problem)")
        }
        return contents
    }
}
