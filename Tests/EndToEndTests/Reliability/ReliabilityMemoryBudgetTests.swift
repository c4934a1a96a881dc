import Foundation
import XCTest

/// Fault: many short sessions under a small KV budget. Resident memory must follow the budget
/// (it grew ~4x the budget when the budget counted tokens and caches grew in 256-token steps).
final class ReliabilityMemoryBudgetTests: XCTestCase {
    func testRSSGrowthStaysWithinTheBudgetOver150Sessions() throws {
        let budgetMB = 64
        let server = try ReliabilityClient.startServer(stateDir: try ReliabilityClient.temporaryDirectory(self),
                                                       extra: ["--kv-budget-mb", String(budgetMB)])
        let pid = server.process.processIdentifier
        // Warm-up: the model's weights are mapped from the file and become resident on first use.
        for i in 0..<2 { XCTAssertEqual(try ReliabilityClient.turn(server.port, session: "warm\(i)", "Hi").status, 200) }
        let baseline = try XCTUnwrap(ReliabilityClient.residentBytes(pid: pid))
        var peak = baseline
        // Each session holds ~45 tokens (chat template + question + 2 generated), ~2 MiB of KV in
        // f32: 150 of them need several times the budget, so eviction runs all along.
        let parallel = 8
        for start in stride(from: 0, to: 150, by: parallel) {
            let clients = (start..<min(start + parallel, 150)).map { i in
                Curl(["http://127.0.0.1:\(server.port)/generate", "-d",
                      #"{"session_id": "mem\#(i)", "messages": [{"role": "user", "content": "Say a word about the number \#(i)."}], "max_tokens": 2, "temperature": 0}"#])
            }
            for c in clients { try c.start() }
            for c in clients { XCTAssertNotNil(jsonObject(c.finish())?["text"], c.text) }
            peak = max(peak, ReliabilityClient.residentBytes(pid: pid) ?? 0)
        }
        let sessions = jsonObject(try Curl.run(["http://127.0.0.1:\(server.port)/sessions"]))?["sessions"] as? [[String: Any]] ?? []
        XCTAssertEqual(sessions.count, 152, "every session kept (evicted ones on disk)")
        let onDisk = sessions.filter { $0["location"] as? String == "disk" }.count
        XCTAssertGreaterThan(onDisk, 75, "the budget must have forced evictions, or this measures nothing")
        let growthMB = Double(peak - baseline) / Double(1 << 20)
        print("ReliabilityMemoryBudget: RSS baseline \(baseline >> 20) MiB, peak \(peak >> 20) MiB, growth \(String(format: "%.1f", growthMB)) MiB, budget \(budgetMB) MiB")
        XCTAssertLessThanOrEqual(growthMB, 1.5 * Double(budgetMB), "RSS grew \(growthMB) MiB over a \(budgetMB) MiB budget")
        ReliabilityClient.stop(server)
    }
}
