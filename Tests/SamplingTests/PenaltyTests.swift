import XCTest
@testable import Sampling

/// OpenAI's presence / frequency penalty and logit bias, by the published formula:
/// logit[t] -= count[t] * frequency + (count[t] > 0) * presence; logit[t] += bias[t].
final class PenaltyTests: XCTestCase {
    func testPenaltiesCountGeneratedTokens() {
        var params = SamplingParams()
        params.presencePenalty = 0.5
        params.frequencyPenalty = 0.25
        params.logitBias = [3: -100, 0: 2, 99: 5]  // 99 is outside the vocabulary: ignored
        let sampler = Sampler(params: params)
        var logits: [Float] = [1, 1, 1, 1]
        sampler.applyPenaltiesAndBias(&logits, generated: [1, 1, 1, 2])
        XCTAssertEqual(logits, [3, 1 - 0.75 - 0.5, 1 - 0.25 - 0.5, -99])
    }

    func testNothingChangesByDefault() {
        var logits: [Float] = [0.5, -2, 7]
        Sampler(params: SamplingParams()).applyPenaltiesAndBias(&logits, generated: [0, 1, 2, 2])
        XCTAssertEqual(logits, [0.5, -2, 7])
    }

    func testLogprobsAreLogSoftmax() {
        let logits: [Float] = [2, 1, 0, -1]
        let lp = TokenLogprobs(logits: logits, count: 2)
        let lse = log(exp(2.0) + exp(1.0) + exp(0.0) + exp(-1.0))
        XCTAssertEqual(lp.top.map(\.id), [0, 1])
        XCTAssertEqual(Double(lp.top[0].logprob), 2 - lse, accuracy: 1e-6)
        XCTAssertEqual(Double(lp.logprob(of: logits[3])), -1 - lse, accuracy: 1e-6)
    }
}
