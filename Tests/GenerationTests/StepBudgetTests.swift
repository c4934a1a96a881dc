import XCTest
@testable import Generation

/// The prompt share of a model step, chosen from given costs (no model, no timing).
final class StepBudgetTests: XCTestCase {
    /// Work in plain units: a row costs 1, attention and logits nothing, unless a test says so.
    private let unit = StepWork(perRow: 1, perAttended: 0, perLogits: 0)

    /// A cost model that has seen steps of exactly `fixed + perRow * rows` ms.
    private func cost(fixed: Double, perRow: Double, rows: [Int] = [1, 2, 20, 40, 64]) -> StepCost {
        var c = StepCost()
        for r in rows { c.record(work: Double(r), ms: fixed + perRow * Double(r)) }
        return c
    }

    func testCostFitRecoversFixedAndMarginalCost() throws {
        let line = try XCTUnwrap(cost(fixed: 30, perRow: 8).line)
        XCTAssertEqual(line.fixed, 30, accuracy: 1e-6)
        XCTAssertEqual(line.perWork, 8, accuracy: 1e-9)
        XCTAssertNil(StepCost().line)
    }

    func testCostOfIdenticalStepsIsTakenAsProportional() throws {
        // Ten steps of 3 rows at 60 ms: no spread to separate fixed from marginal cost, so the
        // marginal cost is overstated (20 ms per row), which only makes chunks smaller.
        let line = try XCTUnwrap(cost(fixed: 30, perRow: 10, rows: Array(repeating: 3, count: 10)).line)
        XCTAssertEqual(line.fixed, 0)
        XCTAssertEqual(line.perWork, 20, accuracy: 1e-9)
    }

    func testRecentStepsOutweighOldOnes() throws {
        // The machine got twice as slow: after 30 steps at the new cost the fit follows it.
        var c = cost(fixed: 30, perRow: 8)
        for i in 0..<30 { c.record(work: Double([1, 2, 20, 40, 64][i % 5]), ms: 60 + 16 * Double([1, 2, 20, 40, 64][i % 5])) }
        let line = try XCTUnwrap(c.line)
        XCTAssertEqual(line.perWork, 16, accuracy: 0.5)
    }

    func testChunkKeepsAStepWithDecodersUnderTheTarget() {
        // 30 ms per step + 10 ms per row, 2 decode rows: 125 ms leaves room for 7 prompt tokens.
        let budget = StepBudget(targetMs: 125, maxTokens: 32)
        let c = cost(fixed: 30, perRow: 10)
        XCTAssertEqual(budget.promptTokens(decoding: 2, decodeWork: 2, deepest: 0, cost: c, work: unit), 7)
        // A faster model per row gets a bigger chunk, capped at maxTokens.
        XCTAssertEqual(budget.promptTokens(decoding: 2, decodeWork: 2, deepest: 0, cost: cost(fixed: 30, perRow: 1), work: unit), 32)
        // Verifying forwards of drafting streams take their share of the step.
        XCTAssertEqual(budget.promptTokens(decoding: 2, decodeWork: 2, otherMs: 40, deepest: 0, cost: c, work: unit), 3)
    }

    func testDeepPromptsGetSmallerChunks() {
        // Attention grows with the position a chunk continues at: at position 1000 a prompt
        // token costs twice a row's work here.
        let work = StepWork(perRow: 1, perAttended: 0.001, perLogits: 0)
        let budget = StepBudget(targetMs: 120, maxTokens: 64)
        let c = cost(fixed: 30, perRow: 5)
        XCTAssertEqual(budget.promptTokens(decoding: 1, decodeWork: 1, deepest: 0, cost: c, work: work), 16)
        XCTAssertEqual(budget.promptTokens(decoding: 1, decodeWork: 1, deepest: 1000, cost: c, work: work), 8)
    }

    func testPromptsAlwaysProgressAndTakeBigChunksWhenNobodyDecodes() {
        let budget = StepBudget(targetMs: 120, maxTokens: 64)
        let slow = cost(fixed: 100, perRow: 20)
        // 32 decoders already exceed the target: prompts still get the minimum.
        XCTAssertEqual(budget.promptTokens(decoding: 32, decodeWork: 32, deepest: 0, cost: slow, work: unit), 4)
        // Nobody decodes: no gap to protect, the whole token budget.
        XCTAssertEqual(budget.promptTokens(decoding: 0, decodeWork: 0, deepest: 0, cost: slow, work: unit), 64)
        // Before any step was timed: a probe of a quarter.
        XCTAssertEqual(budget.promptTokens(decoding: 1, decodeWork: 1, deepest: 0, cost: StepCost(), work: unit), 16)
    }

    func testTargetZeroKeepsTheFixedBudget() {
        let fixed = StepBudget(targetMs: 0, maxTokens: 64)
        let c = cost(fixed: 30, perRow: 10)
        XCTAssertEqual(fixed.promptTokens(decoding: 3, decodeWork: 3, deepest: 0, cost: c, work: unit), 61)
        XCTAssertEqual(fixed.promptTokens(decoding: 60, decodeWork: 60, deepest: 0, cost: c, work: unit), 16)
        XCTAssertEqual(fixed.wholePrompt, 0)
    }

    func testAShortPromptFirstInLineIsPrefilledWholePastTheBudget() {
        // The step budget is 5 tokens; a fresh 20-token prompt beside a long one goes whole,
        // and the long prompt waits for the next step.
        let budget = StepBudget(targetMs: 120, maxTokens: 64)
        let plan = PrefillSchedule.plan([.init(id: 0, remaining: 2900, waitedSteps: 0), .init(id: 1, remaining: 20, waitedSteps: 0)],
                                        budget: 5, wholeUpTo: budget.wholePrompt)
        XCTAssertEqual(plan.map { [$0.id, $0.tokens] }, [[1, 20]])
        // Longer than wholePrompt (32): the budget holds.
        let long = PrefillSchedule.plan([.init(id: 0, remaining: 2900, waitedSteps: 0), .init(id: 1, remaining: 40, waitedSteps: 0)],
                                        budget: 5, wholeUpTo: budget.wholePrompt)
        XCTAssertEqual(long.map { [$0.id, $0.tokens] }, [[1, 5]])
        // Several short prompts arrived (32 streams start): whole while together within 32 tokens.
        let many = PrefillSchedule.plan((0..<4).map { .init(id: $0, remaining: 12, waitedSteps: 0) }, budget: 5,
                                        wholeUpTo: budget.wholePrompt)
        XCTAssertEqual(many.map { [$0.id, $0.tokens] }, [[0, 12], [1, 12]])
        // The last 20 tokens of a long prompt are no short request: the budget holds.
        let tail = PrefillSchedule.plan([.init(id: 0, remaining: 20, waitedSteps: 0, isFresh: false)], budget: 5,
                                        wholeUpTo: budget.wholePrompt)
        XCTAssertEqual(tail.map { [$0.id, $0.tokens] }, [[0, 5]])
    }
}
