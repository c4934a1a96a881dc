import Foundation

/// Figures for monitoring, read in one pass under the lock.
public struct SessionStats: Sendable, Equatable {
    /// Named sessions whose KV cache is in memory.
    public var inMemory = 0
    /// Named sessions with a log in the state directory (possibly also in memory).
    public var onDisk = 0
    /// Valid bytes of those logs.
    public var diskBytes = 0
    /// Bytes the KV budget currently counts (named and anonymous caches).
    public var usedBytes = 0
    /// Running totals since start.
    public var evictions = 0
    public var restores = 0
}

extension SessionManager {
    public var stats: SessionStats {
        withLock {
            var s = SessionStats(evictions: evictions, restores: restores)
            for e in named.values {
                if e.inMemory && e.cache != nil { s.inMemory += 1 }
                if let end = e.logEnd {
                    s.onDisk += 1
                    s.diskBytes += end
                }
                s.usedBytes += e.accountedBytes
            }
            s.usedBytes += anonymous.reduce(0) { $0 + $1.accountedBytes }
            return s
        }
    }
}
