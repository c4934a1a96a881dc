import Foundation
import XCTest

// GET /metrics read by Prometheus' own parser (prometheus_client) before and after known
// traffic; see scripts/tests/metrics_check.py for the expected movements.
final class MetricsScrapeTests: XCTestCase {
    func testCountersMoveByTheTraffic() throws {
        let stateDir = NSTemporaryDirectory() + "kvserve-metrics-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        // 3 MiB holds ~68 tokens of SmolLM2's f32 cache: small enough that the traffic evicts the
        // session to disk and restores it.
        let budgetMB = 3
        let server = ServerProcess(arguments: ["--model", try ServerProcess.modelPath(), "--port", "0",
                                               "--state-dir", stateDir, "--kv-budget-mb", String(budgetMB),
                                               "--kv-cache-type", "f32"])
        try server.start()
        defer { server.signal(SIGTERM); _ = server.waitForExit(timeout: 15) }
        let output = try PythonScript.run("metrics_check.py",
                                          ["http://127.0.0.1:\(server.port)", String(budgetMB << 20)], timeout: 180)
        print(output)
        XCTAssertTrue(output.contains("metrics moved as expected"), output)
    }

    func testMetricsCanBeTurnedOff() throws {
        let stateDir = NSTemporaryDirectory() + "kvserve-metrics-off-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let server = ServerProcess(arguments: ["--model", try ServerProcess.modelPath(), "--port", "0",
                                               "--state-dir", stateDir, "--metrics", "false"])
        try server.start()
        defer { server.signal(SIGTERM); _ = server.waitForExit(timeout: 15) }
        let status = try Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(server.port)/metrics"])
        XCTAssertEqual(status, "404")
    }
}
