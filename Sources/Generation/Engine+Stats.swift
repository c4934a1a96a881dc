import Foundation
import Sessions

/// What the engine is doing right now, for monitoring (`GET /metrics`).
public struct EngineStats: Sendable, Equatable {
    /// Requests waiting for the model worker.
    public var queueDepth: Int
    /// Requests the worker is running (decoded together in one batch per step).
    public var running: Int
    public var kvBudgetBytes: Int
    public var sessions: SessionStats
}

extension Engine {
    public var stats: EngineStats {
        condition.lock()
        let (waiting, running) = (queue.count, active.count)
        condition.unlock()
        return EngineStats(queueDepth: waiting, running: running, kvBudgetBytes: config.kvBudgetBytes,
                           sessions: sessions.stats)
    }
}
