import XCTest
@testable import Generation

/// The prompt budget of a model step, shared among waiting prompts without the model.
final class PrefillScheduleTests: XCTestCase {
    private func c(_ id: Int, _ remaining: Int, waited: Int = 0) -> PrefillSchedule.Candidate {
        .init(id: id, remaining: remaining, waitedSteps: waited)
    }

    private func plan(_ candidates: [PrefillSchedule.Candidate], _ budget: Int) -> [[Int]] {
        PrefillSchedule.plan(candidates, budget: budget).map { [$0.id, $0.tokens] }
    }

    func testShortPromptGoesFirstAndTheLongOneTakesTheRest() {
        // A long prompt is being prefilled; a short one arrives: it fits whole in this step.
        XCTAssertEqual(plan([c(0, 2900), c(1, 12)], 64), [[1, 12], [0, 52]])
    }

    func testBudgetNeverExceeded() {
        XCTAssertEqual(plan([c(0, 100), c(1, 100), c(2, 100)], 64), [[0, 64]])
        XCTAssertEqual(plan([c(0, 10), c(1, 20), c(2, 30)], 64), [[0, 10], [1, 20], [2, 30]])
        XCTAssertEqual(plan([c(0, 5)], 1), [[0, 1]])
        XCTAssertEqual(plan([], 64), [])
    }

    func testTiesGoToTheEarlierArrival() {
        XCTAssertEqual(plan([c(0, 40), c(1, 40)], 64), [[0, 40], [1, 24]])
    }

    func testWaitingAgesALongPromptPastShortOnes() {
        // Each waited step counts as one budget: after 3 steps without tokens, a prompt of 200
        // ranks as 200 - 192 = 8, ahead of a fresh one of 30.
        XCTAssertEqual(plan([c(0, 30), c(1, 200, waited: 3)], 64), [[1, 64]])
        XCTAssertEqual(plan([c(0, 30), c(1, 200, waited: 2)], 64), [[0, 30], [1, 34]])
    }
}
