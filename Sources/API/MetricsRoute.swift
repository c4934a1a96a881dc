import Foundation
import Generation
import HTTP
import Telemetry

// GET /metrics: the Prometheus exposition, with the engine's gauges read at scrape time.
// It is a route like any other, so when API keys arrive, the check that guards the other
// routes guards this one too (only the static page at "/" should stay open).
struct MetricsRoute {
    let engine: Engine
    let metrics: ServerMetrics

    func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        responder.respond(status: 200, headers: [("Content-Type", ServerMetrics.contentType)],
                          body: metrics.render(MetricsRoute.gauges(engine.stats)))
    }

    static func gauges(_ stats: EngineStats) -> EngineGauges {
        var g = EngineGauges()
        g.queueDepth = stats.queueDepth
        g.runningBatchSize = stats.running
        g.kvBytesUsed = stats.sessions.usedBytes
        g.kvBytesBudget = stats.kvBudgetBytes
        g.sessionsInMemory = stats.sessions.inMemory
        g.sessionsOnDisk = stats.sessions.onDisk
        g.sessionDiskBytes = stats.sessions.diskBytes
        g.evictions = stats.sessions.evictions
        g.restores = stats.sessions.restores
        return g
    }
}

extension APIServer {
    /// Counts a finished request (call it from `HTTPServer.onRequestLogged`). Labelled with
    /// the route pattern, or "unmatched" for 404s and framing errors, never the raw path.
    public func recordRequest(_ entry: HTTPLogEntry, router: Router) {
        guard let metrics, entry.status > 0 else { return }  // 0: a connection closed, not a request
        let route = entry.method == "-" ? nil : router.pattern(for: entry.path)
        metrics.recordRequest(method: entry.method, route: route ?? "unmatched", status: entry.status)
    }
}

// Wraps an Engine.submit callback: time to first token from submission, the gap between
// consecutive tokens, and the usage of the finished generation. Events of one job arrive
// in order on the worker thread, so the two times need no lock.
// @unchecked: touched only by one job's events, in order on the worker (see above).
final class GenerationTimer: @unchecked Sendable {
    private let metrics: ServerMetrics?
    private let submitted = DispatchTime.now().uptimeNanoseconds
    private var lastToken: UInt64?

    init(metrics: ServerMetrics?) {
        self.metrics = metrics
    }

    func wrap(_ onEvent: @escaping (GenerationEvent) -> Void) -> (GenerationEvent) -> Void {
        guard metrics != nil else { return onEvent }
        return { event in
            self.observe(event)
            onEvent(event)
        }
    }

    private func observe(_ event: GenerationEvent) {
        guard let metrics else { return }
        switch event {
        case .token:
            let now = DispatchTime.now().uptimeNanoseconds
            if let last = lastToken {
                metrics.recordInterTokenLatency(nanoseconds: Int64(now &- last))
            } else {
                metrics.recordTimeToFirstToken(nanoseconds: Int64(now &- submitted))
            }
            lastToken = now
        case .finished(let result):
            metrics.recordUsage(promptTokens: result.usage.promptTokens, cachedTokens: result.usage.cachedTokens,
                                completionTokens: result.usage.completionTokens)
        case .failed:
            break
        }
    }
}
