import Foundation
import XCTest

/// Fault: many large /tokenize requests at once. Each took ~40 MB while it ran (a tree of JSON
/// values for the ids, the ranges of every piece), all at the same time: 16 concurrent 1 MB
/// texts of digits raised the server's peak RSS by ~580 MiB. Large texts now wait their turn
/// (two at a time) and the answer is written straight from the ids; none is refused.
final class ReliabilityTokenizeFloodTests: XCTestCase {
    func testSixteenConcurrentOneMegabyteTokenizationsAreAllAnsweredWithinAMemoryBound() throws {
        let server = try ReliabilityClient.startServer(stateDir: try ReliabilityClient.temporaryDirectory(self))
        defer { server.signal(SIGKILL) }
        let pid = server.process.processIdentifier
        // Digits are one token each for SmolLM2 (its pre-tokenizer splits every digit), so the
        // answer holds a million ids: the worst case for the answer's size.
        let digits = 1_000_000
        let bodyPath = try ReliabilityClient.temporaryDirectory(self) + "/body.json"
        try Data((#"{"text": ""# + String(repeating: "0123456789", count: digits / 10) + #""}"#).utf8)
            .write(to: URL(fileURLWithPath: bodyPath))
        let tokenize = ["http://127.0.0.1:\(server.port)/tokenize", "-H", "Content-Type: application/json",
                        "--data-binary", "@" + bodyPath, "-w", "\n%{http_code}"]

        // One alone first: the reference answer, and the tokenizer's caches warmed.
        let single = try Curl.run(tokenize)
        XCTAssertTrue(single.hasSuffix("\n200"), String(single.suffix(300)))
        let reference = String(single.dropLast(4))
        XCTAssertTrue(reference.hasPrefix(#"{"tokens":["#) && reference.hasSuffix("]}"), String(reference.prefix(300)))
        XCTAssertEqual(reference.utf8.reduce(0) { $1 == UInt8(ascii: ",") ? $0 + 1 : $0 } + 1, digits)
        let before = try XCTUnwrap(ReliabilityClient.residentBytes(pid: pid))

        let clients = (0..<16).map { _ in Curl(tokenize) }
        for c in clients { try c.start() }
        let answers = clients.map { $0.finish(timeout: 300) }
        let peak = try XCTUnwrap(ReliabilityClient.peakResidentBytes(pid: pid))

        for (i, answer) in answers.enumerated() {
            XCTAssertTrue(answer.hasSuffix("\n200"), "request \(i): \(answer.suffix(300))")
            XCTAssertTrue(answer.dropLast(4) == reference, "request \(i): not the single request's \(digits) ids")
        }
        let growthMiB = Double(peak - before) / Double(1 << 20)
        print("ReliabilityTokenizeFlood: RSS \(before >> 20) MiB before 16 concurrent 1 MB /tokenize, "
              + "peak \(peak >> 20) MiB (VmHWM), growth \(String(format: "%.1f", growthMiB)) MiB")
        // Fixed server: ~70 MiB here (two texts at work, the others' bodies waiting, answers
        // on their way out); before the fix ~580 MiB. The bound leaves room for a slower reader.
        XCTAssertLessThan(growthMiB, 200, "16 concurrent 1 MB /tokenize requests raised RSS by \(growthMiB) MiB")
        ReliabilityClient.stop(server)
    }
}
