/// One slot's speculative decoding: its drafter, how many tokens to draft next, and whether to
/// draft at all. A verifying forward over [token, drafts] costs more than a plain one, so
/// drafting must pay for itself:
/// - The first draft is short (`firstDraft`); the length doubles while whole drafts are
///   accepted, up to `maxDraft`, and falls back to one more than the accepted run after a
///   rejection. On Qwen2.5-0.5B a verify of 11 rows costs about 4 plain steps and one of 17
///   rows about 6 (116-132 and 174-203 ms vs 29-33 ms here), so long runs of copied text (a
///   code edit) gain most from long drafts, and text that does not repeat (chat) should not
///   pay for one at the start.
/// - Drafting pauses after `missesBeforePause` verifies in a row that kept no draft (text that
///   does not repeat, e.g. ordinary chat), for `pauseSteps` steps, doubled each time the probe
///   that follows a pause misses again (up to `maxPauseSteps`), reset by any accepted draft.
///   So a stream that stopped repeating costs a wasted verify every few dozen tokens at most,
///   and one that starts repeating again (quoting code) is found again at the next probe.
struct SpeculationState {
    /// Most streams decoding at once for which drafts are verified (each in its own forward).
    static let maxStreams = 2
    /// Longest draft (tokens beyond the chosen one in one verifying forward).
    static let maxDraft = 16
    /// Length of a stream's first draft.
    static let firstDraft = 4
    static let minDraft = 1
    static let missesBeforePause = 2
    static let pauseSteps = 8
    static let maxPauseSteps = 128

    let enabled: Bool
    private var drafter: NGramDrafter
    private(set) var draftLength = SpeculationState.firstDraft
    /// Verifies in a row that kept no draft.
    private(set) var misses = 0
    /// Steps left without drafting, and the length of the next pause.
    private(set) var pausedFor = 0
    private(set) var nextPause = SpeculationState.pauseSteps

    init(enabled: Bool, sizes: [Int] = [3, 2]) {
        self.enabled = enabled
        drafter = NGramDrafter(sizes: sizes)
    }

    /// Drafts to follow `history` (which ends with the token just chosen), at most `room`;
    /// none while paused (one call is one decode step).
    mutating func draft(_ history: [Int32], room: Int) -> [Int32] {
        if pausedFor > 0 {
            pausedFor -= 1
            return []
        }
        return drafter.draft(history, limit: min(draftLength, room))
    }

    mutating func record(drafted n: Int, accepted a: Int) {
        draftLength = a == n ? min(draftLength * 2, Self.maxDraft) : max(a + 1, Self.minDraft)
        guard a == 0 else {
            misses = 0
            nextPause = Self.pauseSteps
            return
        }
        misses += 1
        if misses >= Self.missesBeforePause {
            pausedFor = nextPause
            nextPause = min(nextPause * 2, Self.maxPauseSteps)
            // After the pause one probe decides: a miss pauses again (for longer).
            misses = Self.missesBeforePause - 1
        }
    }
}
