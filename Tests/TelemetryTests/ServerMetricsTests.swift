import XCTest
@testable import Telemetry

// The exposition as Prometheus would read it: one sample per line, `name{labels} value`.
// (The end-to-end test reads it with prometheus_client's own parser.)
final class ServerMetricsTests: XCTestCase {
    private func samples(_ metrics: ServerMetrics, _ gauges: EngineGauges = EngineGauges()) -> [String: Double] {
        let text = String(decoding: metrics.render(gauges), as: UTF8.self)
        var result: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                XCTFail("unparsable sample line: \(line)")
                continue
            }
            result[String(line[..<space])] = value
        }
        return result
    }

    func testRequestsAreCountedPerMethodRouteAndStatus() {
        let metrics = ServerMetrics()
        for _ in 0..<3 { metrics.recordRequest(method: "POST", route: "/generate", status: 200) }
        metrics.recordRequest(method: "GET", route: "/sessions/{id}", status: 404)
        let s = samples(metrics)
        XCTAssertEqual(s[#"kvserve_http_requests_total{method="POST",route="/generate",status="200"}"#], 3)
        XCTAssertEqual(s[#"kvserve_http_requests_total{method="GET",route="/sessions/{id}",status="404"}"#], 1)
    }

    func testUsageAddsUpAcrossGenerations() {
        let metrics = ServerMetrics()
        metrics.recordUsage(promptTokens: 10, cachedTokens: 0, completionTokens: 5)
        metrics.recordUsage(promptTokens: 14, cachedTokens: 9, completionTokens: 7)
        let s = samples(metrics)
        XCTAssertEqual(s["kvserve_prompt_tokens_total"], 24)
        XCTAssertEqual(s["kvserve_cached_tokens_total"], 9)
        XCTAssertEqual(s["kvserve_generated_tokens_total"], 12)
    }

    func testLatencyHistogramsAreInSeconds() {
        let metrics = ServerMetrics()
        metrics.recordTimeToFirstToken(nanoseconds: 40_000_000)  // 40 ms: not in le=0.025, in le=0.05
        metrics.recordInterTokenLatency(nanoseconds: 3_000_000)
        metrics.recordInterTokenLatency(nanoseconds: 7_000_000)
        let s = samples(metrics)
        XCTAssertEqual(s[#"kvserve_time_to_first_token_seconds_bucket{le="0.025"}"#], 0)
        XCTAssertEqual(s[#"kvserve_time_to_first_token_seconds_bucket{le="0.05"}"#], 1)
        XCTAssertEqual(s["kvserve_time_to_first_token_seconds_count"], 1)
        XCTAssertEqual(s["kvserve_time_to_first_token_seconds_sum"] ?? 0, 0.04, accuracy: 1e-9)
        XCTAssertEqual(s[#"kvserve_inter_token_latency_seconds_bucket{le="0.005"}"#], 1)
        XCTAssertEqual(s["kvserve_inter_token_latency_seconds_count"], 2)
    }

    func testGaugesFollowTheEngineAndCountersOnlyMoveForward() {
        let metrics = ServerMetrics()
        var g = EngineGauges()
        g.queueDepth = 2; g.runningBatchSize = 3; g.kvBytesUsed = 1000; g.kvBytesBudget = 4096
        g.sessionsInMemory = 1; g.sessionsOnDisk = 4; g.sessionDiskBytes = 777; g.evictions = 5; g.restores = 2
        var s = samples(metrics, g)
        XCTAssertEqual(s["kvserve_queue_depth"], 2)
        XCTAssertEqual(s["kvserve_running_batch_size"], 3)
        XCTAssertEqual(s["kvserve_kv_bytes_used"], 1000)
        XCTAssertEqual(s["kvserve_kv_bytes_budget"], 4096)
        XCTAssertEqual(s[#"kvserve_sessions{location="memory"}"#], 1)
        XCTAssertEqual(s[#"kvserve_sessions{location="disk"}"#], 4)
        XCTAssertEqual(s["kvserve_session_disk_bytes"], 777)
        XCTAssertEqual(s["kvserve_session_evictions_total"], 5)
        XCTAssertEqual(s["kvserve_session_restores_total"], 2)

        g.queueDepth = 0; g.evictions = 7; g.restores = 2
        s = samples(metrics, g)
        XCTAssertEqual(s["kvserve_queue_depth"], 0)
        XCTAssertEqual(s["kvserve_session_evictions_total"], 7, "moves by the engine's difference, not its total")
        XCTAssertEqual(s["kvserve_session_restores_total"], 2)
    }
}
