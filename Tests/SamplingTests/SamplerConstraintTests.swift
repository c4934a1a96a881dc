import XCTest
@testable import Sampling

/// Constrained sampling draws from the sampler's distribution restricted to the allowed tokens,
/// and computes the allowed set only when the first draw is refused.
final class SamplerConstraintTests: XCTestCase {
    private let logits: [Float] = [2.0, 1.0, 0.5, 1.5, -1.0, 0.0]

    func testDistributionIsTheRestrictedOne() {
        let allowed: Set<Int32> = [1, 3, 4]
        var sampler = Sampler(params: SamplingParams(temperature: 1, topK: 0, topP: 1, minP: 0, seed: 7))
        var counts = [Int](repeating: 0, count: logits.count)
        var walks = 0
        let n = 20_000
        for _ in 0..<n {
            var l = logits
            let t = sampler.sample(logits: &l, history: [], allows: { allowed.contains($0) },
                                   allowedTokens: { walks += 1; return allowed.sorted() })
            counts[Int(t!)] += 1
        }
        let weights = logits.map { exp(Double($0)) }
        let massA = allowed.map { weights[Int($0)] }.reduce(0, +)
        for id in 0..<logits.count {
            let expected = allowed.contains(Int32(id)) ? weights[id] / massA : 0
            // Binomial standard deviation is at most 0.0036 at n = 20000; 0.015 is ~4 of them.
            XCTAssertEqual(Double(counts[id]) / Double(n), expected, accuracy: 0.015, "token \(id)")
        }
        let refused = 1 - massA / weights.reduce(0, +)
        XCTAssertEqual(Double(walks) / Double(n), refused, accuracy: 0.015, "the allowed set is only built on refusal")
    }

    func testGreedyTakesTheBestAllowed() {
        var sampler = Sampler(params: .greedy)
        var l = logits
        XCTAssertEqual(sampler.sample(logits: &l, history: [], allows: { $0 != 0 }, allowedTokens: { [5, 2, 3] }), 3)
        l = logits
        XCTAssertEqual(sampler.sample(logits: &l, history: [], allows: { _ in true }, allowedTokens: { [] }), 0)
    }

    func testFiltersThatRemoveEveryAllowedTokenFallBackToTheMaskedPipeline() {
        // top-k 1 keeps only token 0, which is refused: the pipeline reruns among {2, 4}.
        var sampler = Sampler(params: SamplingParams(temperature: 1, topK: 1, topP: 1, minP: 0, seed: 1))
        for _ in 0..<20 {
            var l = logits
            XCTAssertEqual(sampler.sample(logits: &l, history: [], allows: { $0 == 2 || $0 == 4 }, allowedTokens: { [4, 2] }), 2)
        }
    }

    func testNothingAllowedIsNil() {
        var sampler = Sampler(params: SamplingParams(temperature: 1, seed: 3))
        var l = logits
        XCTAssertNil(sampler.sample(logits: &l, history: [], allows: { _ in false }, allowedTokens: { [] }))
    }
}
