import XCTest
@testable import Llama

/// The default model against the independent reference: HF transformers in float32 on the
/// same GGUF (weights dequantized exactly), fixtures from scripts/fixtures/make_model_fixtures.py.
///
/// Where we differ from the reference: kvserve quantizes activations to 8-bit blocks (Q8,
/// one scale per 32 values, relative step ~1/127 of the block max) before every quantized
/// matmul, as llama.cpp does; the reference multiplies f32 activations. That error is
/// re-injected at 7 matmuls x 30 layers plus the output head, so logits drift by a few
/// tenths at most while their ranking holds except at near-ties.
///
/// Every check runs for each KV cache type. f16 rounds K and V to 11 significant bits (relative
/// error <= 2^-11), q8_0 to steps of 1/127 of each 32-value block's max, as llama.cpp's caches
/// of those types do: both far smaller than the activation quantization above, so the same
/// bounds hold (measured: see the printed diffs).
final class FidelityTests: XCTestCase {
    // A near-tie: the reference's top two logits within 0.5. Quantized arithmetic may flip
    // the order there (llama.cpp does too), so comparisons of argmax skip those positions.
    let nearTie: Float = 0.5
    // Logits are compared after subtracting each vector's mean: softmax ignores a constant
    // shift, and much of the quantized model's difference is one (measured -0.08..+0.24 over
    // the whole vocabulary). Centered, kvserve measured max |diff| 0.44-0.84 and mean
    // 0.077-0.133 (over several kernel revisions) on the 3 full-logit prompts; llama.cpp on
    // the same GGUF and prompts measured 0.55-0.63 and 0.095-0.105 (same Q8 activation
    // scheme). The bounds allow about 2x
    // llama.cpp's error; a real bug (RoPE, mask, norm, GQA mapping) moves logits by whole units.
    // ExactMathTests shows the maths itself matches to 5e-5 when nothing is quantized.
    let logitTolerance: Float = 1.5
    let meanTolerance: Float = 0.25

    func prompts() throws -> [PromptFixture] {
        try Fixtures.json("prompts.json", as: PromptsFile.self).prompts
    }

    func testFullLastPositionLogits() throws { try fullLastPositionLogits(.f32) }
    func testFullLastPositionLogitsF16() throws { try fullLastPositionLogits(.f16) }
    func testFullLastPositionLogitsQ8_0() throws { try fullLastPositionLogits(.q8_0) }

    private func fullLastPositionLogits(_ type: KVCacheType) throws {
        guard let model = DefaultModel.load() else { return }
        let all = try prompts().filter { $0.full_logits_file != nil }
        XCTAssertGreaterThanOrEqual(all.count, 3)
        for p in all {
            let want = try Fixtures.floats(p.full_logits_file ?? "")
            var cache = model.makeCache(type: type)
            let got = centered(try model.forward(p.ids, cache: &cache))
            XCTAssertEqual(got.count, want.count)
            let maxDiff = maxAbsDiff(got, centered(want))
            let meanDiff = zip(got, centered(want)).reduce(0) { $0 + abs($1.0 - $1.1) } / Float(got.count)
            print("\(type) cache, full logits \(p.full_logits_file ?? ""): max |diff| \(maxDiff), mean |diff| \(meanDiff)")
            XCTAssertLessThanOrEqual(maxDiff, logitTolerance, p.text)
            XCTAssertLessThanOrEqual(meanDiff, meanTolerance, p.text)
        }
    }

    func testTopLogitsAllPrompts() throws {
        guard let model = DefaultModel.load() else { return }
        var worst: Float = 0
        for p in try prompts() {
            var cache = model.makeCache(type: .f32)
            let got = centered(try model.forward(p.ids, cache: &cache))
            for (id, raw) in zip(p.top_ids, p.top_values) {
                let v = raw - p.mean  // the fixture stores the reference's mean over all logits
                worst = max(worst, abs(got[id] - v))
                XCTAssertEqual(got[id], v, accuracy: logitTolerance, "token \(id) of \(p.text.debugDescription)")
            }
            if p.top_values[0] - p.top_values[1] >= nearTie {
                XCTAssertEqual(argmax(got[...]), p.top_ids[0], p.text)
            }
        }
        print("top-50 logits (centered): worst |diff| \(worst)")
    }

    private func centered(_ x: [Float]) -> [Float] {
        let mean = x.reduce(0, +) / Float(x.count)
        return x.map { $0 - mean }
    }

    /// Greedy 32-token continuations equal the reference's up to the first position where the
    /// reference itself had a near-tie; from there on the texts may legitimately diverge.
    func testGreedyContinuations() throws { try greedyContinuations(.f32) }
    func testGreedyContinuationsF16() throws { try greedyContinuations(.f16) }
    func testGreedyContinuationsQ8_0() throws { try greedyContinuations(.q8_0) }

    private func greedyContinuations(_ type: KVCacheType) throws {
        guard let model = DefaultModel.load() else { return }
        let all = try prompts()
        XCTAssertGreaterThanOrEqual(all.count, 10)
        var equal = 0
        for p in all {
            let got = try greedyDecode(model, prompt: p.ids, count: p.greedy.count, type: type)
            guard let first = got.indices.first(where: { got[$0] != p.greedy[$0] }) else {
                equal += 1
                continue
            }
            let gap = p.greedy_gaps[first]
            print("\(type) cache: greedy diverges at \(first) of \(p.text.debugDescription) (reference gap \(gap))")
            XCTAssertLessThan(gap, nearTie, "\(type) cache: greedy differs at \(first) where the reference was sure: \(p.text)")
        }
        print("\(type) cache: \(equal) of \(all.count) greedy continuations equal the reference's in full")
    }

    /// Feed the reference's own ~100 tokens; the argmax must match at every non-near-tie position.
    func testTeacherForcedArgmax() throws { try teacherForcedArgmax(.f32) }
    func testTeacherForcedArgmaxF16() throws { try teacherForcedArgmax(.f16) }
    func testTeacherForcedArgmaxQ8_0() throws { try teacherForcedArgmax(.q8_0) }

    private func teacherForcedArgmax(_ type: KVCacheType) throws {
        guard let model = DefaultModel.load() else { return }
        let t = try Fixtures.json("teacher.json", as: TeacherFixture.self)
        var cache = model.makeCache(type: type)
        let logits = try model.forward(t.ids, cache: &cache, allLogits: true)
        let vocab = model.config.vocab
        var compared = 0
        for i in 0..<t.ids.count where t.gaps[i] >= nearTie {
            compared += 1
            XCTAssertEqual(argmax(logits[(i * vocab)..<((i + 1) * vocab)]), t.argmax[i], "position \(i)")
        }
        print("\(type) cache, teacher-forced: \(compared) of \(t.ids.count) positions compared")
        XCTAssertGreaterThan(compared, t.ids.count / 2)
    }
}
