import Foundation
import Sampling
import XCTest

/// The draft acceptance rule (Sampler+Speculative.swift): accept draft d with probability p(d),
/// otherwise draw from p without d. The tokens it outputs must follow p itself, for every
/// draft, with every filter and the penalty active. p is computed here independently (plain
/// sort, no heap, no shortcuts) from the documented order: penalty, top-k, temperature
/// softmax, top-p and min-p both over the un-renormalized probabilities.
final class SpeculativeAcceptanceTests: XCTestCase {
    let logits: [Float] = [2.0, 1.6, 1.1, 0.7, 0.3, -0.4, -1.0, -3.0]
    let history: [Int32] = [1, 6]
    let params = SamplingParams(temperature: 0.9, topK: 6, topP: 0.93, minP: 0.04, repeatPenalty: 1.4,
                                repeatLastN: 64, seed: 2024)

    /// The target distribution over the 8 ids.
    func expected() -> [Double] {
        var l = logits.map(Double.init)
        for id in Set(history) { l[Int(id)] = l[Int(id)] > 0 ? l[Int(id)] / 1.4 : l[Int(id)] * 1.4 }
        let order = l.indices.sorted { l[$0] > l[$1] }.prefix(params.topK)
        let top = l[order.first!]
        let weights = order.map { exp((l[$0] - top) / Double(params.temperature)) }
        let sum = weights.reduce(0, +)
        let probs = weights.map { $0 / sum }
        var keep = 0
        var cumulative = 0.0
        for p in probs {  // top-p: shortest prefix reaching topP
            cumulative += p
            keep += 1
            if cumulative >= Double(params.topP) { break }
        }
        keep = min(keep, probs.filter { $0 >= Double(params.minP) * probs[0] }.count)
        var result = [Double](repeating: 0, count: logits.count)
        let kept = probs.prefix(keep).reduce(0, +)
        for (i, id) in order.prefix(keep).enumerated() { result[id] = probs[i] / kept }
        return result
    }

    /// Pearson chi-square of the counts against `p` over p's support (counts outside it fail).
    func chiSquare(_ counts: [Int], _ p: [Double], file: StaticString = #filePath, line: UInt = #line) -> Double {
        let n = Double(counts.reduce(0, +))
        var chi = 0.0
        for (id, c) in counts.enumerated() {
            if p[id] == 0 {
                XCTAssertEqual(c, 0, "token \(id) is outside the sampling distribution", file: file, line: line)
                continue
            }
            chi += pow(Double(c) - n * p[id], 2) / (n * p[id])
        }
        return chi
    }

    /// 0.999 quantile of chi-square with up to 6 degrees of freedom is 22.46: a correct rule
    /// fails this with probability < 0.001 per draft, and the seed is fixed, so it is stable.
    let critical = 22.46
    let trials = 60_000

    func testAcceptanceKeepsTheSamplingDistributionForEveryDraft() {
        let p = expected()
        XCTAssertEqual(p.filter { $0 > 0 }.count, 5, "the filters should leave a few tokens (fixture check)")
        // The likeliest token, a penalized one, a tail token, and tokens the filters removed.
        for draft: Int32 in [0, 1, 3, 4, 5, 7] {
            var sampler = Sampler(params: params)
            var counts = [Int](repeating: 0, count: logits.count)
            for _ in 0..<trials {
                var l = logits
                if sampler.acceptDraft(draft, logits: &l, history: history[...]) {
                    counts[Int(draft)] += 1
                } else {
                    var fresh = logits
                    counts[Int(sampler.sample(logits: &fresh, history: history[...], excluding: draft))] += 1
                }
            }
            XCTAssertLessThan(chiSquare(counts, p), critical, "draft \(draft): counts \(counts)")
        }
    }

    /// The check has power: resampling from p WITH the draft (a plausible mistake) is caught.
    func testWrongResidualIsDetected() {
        let p = expected()
        var sampler = Sampler(params: params)
        var counts = [Int](repeating: 0, count: logits.count)
        for _ in 0..<trials {
            var l = logits
            if sampler.acceptDraft(0, logits: &l, history: history[...]) {
                counts[0] += 1
            } else {
                var fresh = logits
                counts[Int(sampler.sample(logits: &fresh, history: history[...]))] += 1
            }
        }
        XCTAssertGreaterThan(chiSquare(counts, p), critical * 10)
    }

    /// Greedy: a draft is accepted exactly when it is the (penalized) argmax.
    func testGreedyAcceptsOnlyTheArgmax() {
        var greedy = params
        greedy.temperature = 0
        var sampler = Sampler(params: greedy)
        var plain = logits
        let argmax = sampler.sample(logits: &plain, history: history[...])
        XCTAssertEqual(argmax, 0)
        for draft in Int32(0)..<Int32(logits.count) {
            var l = logits
            XCTAssertEqual(sampler.acceptDraft(draft, logits: &l, history: history[...]), draft == argmax)
        }
        var l = logits
        XCTAssertEqual(sampler.sample(logits: &l, history: history[...], excluding: 3), argmax)
        // Penalty counts: with token 0 in the history the argmax moves to 1.
        var penalized = logits
        XCTAssertEqual(sampler.acceptDraft(1, logits: &penalized, history: [0, 1, 6]), false)
        penalized = logits
        XCTAssertEqual(sampler.acceptDraft(0, logits: &penalized, history: [0]), false)
    }
}
