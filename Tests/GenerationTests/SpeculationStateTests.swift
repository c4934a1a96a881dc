import XCTest
@testable import Generation

/// When a stream drafts, and how much: adaptive draft length and pauses, without the model.
final class SpeculationStateTests: XCTestCase {
    /// A history whose tail repeats earlier text, so the drafter always has a match.
    private let repeating: [Int32] = Array(repeating: [1, 2, 3, 4, 5, 6, 7, 8], count: 4).flatMap { $0 }

    private func steps(_ state: inout SpeculationState, _ n: Int) -> [Bool] {
        (0..<n).map { _ in !state.draft(repeating, room: 100).isEmpty }
    }

    func testMissesPauseDraftingAndProbesBackOffUntilADraftIsKept() {
        var s = SpeculationState(enabled: true)
        XCTAssertFalse(s.draft(repeating, room: 100).isEmpty)
        s.record(drafted: 10, accepted: 0)
        XCTAssertFalse(s.draft(repeating, room: 100).isEmpty, "one miss does not pause")
        s.record(drafted: 1, accepted: 0)
        // Two misses in a row: 8 steps without drafts, then one probe.
        XCTAssertEqual(steps(&s, 9), Array(repeating: false, count: 8) + [true])
        s.record(drafted: 1, accepted: 0)
        // The probe missed: the pause doubles.
        XCTAssertEqual(steps(&s, 17), Array(repeating: false, count: 16) + [true])
        s.record(drafted: 1, accepted: 1)
        // A kept draft ends the back-off: drafting every step, and the next pause is short again.
        XCTAssertEqual(steps(&s, 3), [true, true, true])
        s.record(drafted: 2, accepted: 0)
        _ = s.draft(repeating, room: 100)
        s.record(drafted: 1, accepted: 0)
        XCTAssertEqual(s.pausedFor, SpeculationState.pauseSteps)
    }

    func testPausesAreCapped() {
        var s = SpeculationState(enabled: true)
        for _ in 0..<20 {
            while s.draft(repeating, room: 100).isEmpty {}
            s.record(drafted: 1, accepted: 0)
        }
        XCTAssertLessThanOrEqual(s.pausedFor, SpeculationState.maxPauseSteps)
        XCTAssertEqual(s.nextPause, SpeculationState.maxPauseSteps)
    }

    func testDraftLengthGrowsOnFullAcceptanceAndFallsAfterARejection() {
        var s = SpeculationState(enabled: true)
        XCTAssertEqual(s.draftLength, SpeculationState.firstDraft)
        s.record(drafted: 4, accepted: 4)
        XCTAssertEqual(s.draftLength, 8)
        s.record(drafted: 8, accepted: 8)
        s.record(drafted: 16, accepted: 16)
        XCTAssertEqual(s.draftLength, SpeculationState.maxDraft)
        s.record(drafted: 10, accepted: 3)
        XCTAssertEqual(s.draftLength, 4)
        s.record(drafted: 4, accepted: 4)
        XCTAssertEqual(s.draftLength, 8)
        s.record(drafted: 8, accepted: 8)
        XCTAssertEqual(s.draftLength, SpeculationState.maxDraft)
    }
}
