/// One slot's speculative decoding: its drafter and how many tokens to draft next. The draft
/// length adapts to how well drafts have done: it grows while whole drafts are accepted and
/// falls back to one more than the accepted run after a rejection, so text that does not
/// repeat costs at most a forward of two tokens instead of one when a spurious match occurs.
struct SpeculationState {
    /// Most streams decoding at once for which drafts are verified (each in its own forward).
    static let maxStreams = 2
    /// Longest draft (tokens beyond the chosen one in one verifying forward).
    static let maxDraft = 10
    static let minDraft = 1

    let enabled: Bool
    private var drafter = NGramDrafter(sizes: [3, 2])
    private(set) var draftLength = SpeculationState.maxDraft

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Drafts to follow `history` (which ends with the token just chosen), at most `room`.
    mutating func draft(_ history: [Int32], room: Int) -> [Int32] {
        drafter.draft(history, limit: min(draftLength, room))
    }

    mutating func record(drafted n: Int, accepted a: Int) {
        draftLength = a == n ? min(draftLength * 2, Self.maxDraft) : max(a + 1, Self.minDraft)
    }
}
