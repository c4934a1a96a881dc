import CoreMetrics
import Foundation
import Prometheus

/// kvserve's metrics, recorded through swift-metrics' API into one Prometheus registry and
/// rendered in the Prometheus text format for `GET /metrics`.
///
/// swift-prometheus 2.x depends only on swift-metrics and swift-atomics (no SwiftNIO), so the
/// server stays on plain sockets. Each `ServerMetrics` has its own registry (no global
/// `MetricsSystem.bootstrap`), so tests can run several servers in one process.
///
/// Names (all prefixed `kvserve_`):
/// - `http_requests_total{method,route,status}`: finished requests, `route` is the route
///   pattern (`/sessions/{id}`) or `unmatched`, so label values stay few.
/// - `time_to_first_token_seconds`, `inter_token_latency_seconds`: histograms per generation.
/// - `prompt_tokens_total`, `cached_tokens_total`, `generated_tokens_total`: from each
///   finished generation's usage (prompt includes cached).
/// - gauges sampled at scrape time: `queue_depth`, `running_batch_size`, `kv_bytes_used`,
///   `kv_bytes_budget`, `sessions{location="memory"|"disk"}` (a session can be in both),
///   `session_disk_bytes`; counters `session_evictions_total`, `session_restores_total`.
// @unchecked: the metric handles are created once; the lazily made per-label counters are guarded by `lock`.
public final class ServerMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    private let promptTokens: CoreMetrics.Counter
    private let cachedTokens: CoreMetrics.Counter
    private let generatedTokens: CoreMetrics.Counter
    private let timeToFirstToken: CoreMetrics.Timer
    private let interTokenLatency: CoreMetrics.Timer
    private let evictions: CoreMetrics.Counter
    private let restores: CoreMetrics.Counter
    private let gauges: [KeyPath<EngineGauges, Int>: Meter]

    /// Guards the per-label request counters and the last engine counts seen.
    private let lock = NSLock()
    private var requestCounters: [String: CoreMetrics.Counter] = [:]
    private var lastEvictions = 0
    private var lastRestores = 0

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Seconds. TTFT includes queueing and prefill; a decode step on CPU is ~5-50 ms.
        factory.durationHistogramBuckets = [
            Names.timeToFirstToken: [.milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                     .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
                                     .seconds(5), .seconds(10), .seconds(30)],
            Names.interTokenLatency: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                      .milliseconds(20), .milliseconds(50), .milliseconds(100),
                                      .milliseconds(250), .milliseconds(500), .seconds(1)],
        ]
        self.factory = factory
        promptTokens = CoreMetrics.Counter(label: "kvserve_prompt_tokens_total", factory: factory)
        cachedTokens = CoreMetrics.Counter(label: "kvserve_cached_tokens_total", factory: factory)
        generatedTokens = CoreMetrics.Counter(label: "kvserve_generated_tokens_total", factory: factory)
        timeToFirstToken = CoreMetrics.Timer(label: Names.timeToFirstToken, factory: factory)
        interTokenLatency = CoreMetrics.Timer(label: Names.interTokenLatency, factory: factory)
        evictions = CoreMetrics.Counter(label: "kvserve_session_evictions_total", factory: factory)
        restores = CoreMetrics.Counter(label: "kvserve_session_restores_total", factory: factory)
        func meter(_ label: String, _ dimensions: [(String, String)] = []) -> Meter {
            Meter(label: label, dimensions: dimensions, factory: factory)
        }
        gauges = [
            \.queueDepth: meter("kvserve_queue_depth"),
            \.runningBatchSize: meter("kvserve_running_batch_size"),
            \.kvBytesUsed: meter("kvserve_kv_bytes_used"),
            \.kvBytesBudget: meter("kvserve_kv_bytes_budget"),
            \.sessionsInMemory: meter("kvserve_sessions", [("location", "memory")]),
            \.sessionsOnDisk: meter("kvserve_sessions", [("location", "disk")]),
            \.sessionDiskBytes: meter("kvserve_session_disk_bytes"),
        ]
    }

    enum Names {
        static let timeToFirstToken = "kvserve_time_to_first_token_seconds"
        static let interTokenLatency = "kvserve_inter_token_latency_seconds"
    }

    /// One finished HTTP request. `route` is the matched route pattern, never the raw path.
    public func recordRequest(method: String, route: String, status: Int) {
        let dimensions = [("method", method), ("route", route), ("status", String(status))]
        let key = dimensions.map(\.1).joined(separator: " ")
        let counter: CoreMetrics.Counter = lock.withLock {
            if let existing = requestCounters[key] { return existing }
            let made = CoreMetrics.Counter(label: "kvserve_http_requests_total", dimensions: dimensions, factory: factory)
            requestCounters[key] = made
            return made
        }
        counter.increment()
    }

    public func recordTimeToFirstToken(nanoseconds: Int64) {
        timeToFirstToken.recordNanoseconds(nanoseconds)
    }

    public func recordInterTokenLatency(nanoseconds: Int64) {
        interTokenLatency.recordNanoseconds(nanoseconds)
    }

    /// The usage of one finished (or cancelled) generation.
    public func recordUsage(promptTokens prompt: Int, cachedTokens cached: Int, completionTokens completion: Int) {
        promptTokens.increment(by: max(prompt, 0))
        cachedTokens.increment(by: max(cached, 0))
        generatedTokens.increment(by: max(completion, 0))
    }

    /// The exposition (text format 0.0.4) with the gauges set from `engine` first.
    public func render(_ engine: EngineGauges) -> [UInt8] {
        lock.withLock {
            for (path, meter) in gauges { meter.set(engine[keyPath: path]) }
            // The engine keeps running totals; the Prometheus counters move by the difference.
            evictions.increment(by: max(engine.evictions - lastEvictions, 0))
            restores.increment(by: max(engine.restores - lastRestores, 0))
            lastEvictions = max(lastEvictions, engine.evictions)
            lastRestores = max(lastRestores, engine.restores)
            return registry.emitToBuffer()
        }
    }

    /// `Content-Type` of `render`'s bytes.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}

/// Engine and session figures read at scrape time.
public struct EngineGauges: Sendable, Equatable {
    public var queueDepth = 0
    public var runningBatchSize = 0
    public var kvBytesUsed = 0
    public var kvBytesBudget = 0
    public var sessionsInMemory = 0
    public var sessionsOnDisk = 0
    public var sessionDiskBytes = 0
    /// Running totals since start.
    public var evictions = 0
    public var restores = 0

    public init() {}
}
