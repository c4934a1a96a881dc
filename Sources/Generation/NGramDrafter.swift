/// Prompt-lookup drafting: guesses the next tokens of a conversation from its own history.
/// If the last n tokens occurred before, the tokens that followed them then are proposed
/// (longest n first, most recent occurrence first). Code edits, quoting and re-stated text
/// repeat long runs of the prompt, so the guess is often right for many tokens at once.
///
/// The history only grows (rejected drafts never enter it), so an index of every n-gram's
/// latest end position is kept up to date incrementally: one dictionary update per size and
/// appended token, one lookup per size and draft.
struct NGramDrafter {
    /// n-gram sizes tried, longest first (a longer match is a more specific context).
    let sizes: [Int]
    /// Per size (same order as `sizes`): n-gram -> position just after its latest occurrence.
    private var latest: [[NGram: Int]]
    /// Tokens of the history already indexed (the index covers n-grams ending before this).
    private var indexed = 0

    init(sizes: [Int] = [3, 2]) {
        self.sizes = sizes.filter { (1...NGram.maxSize).contains($0) }.sorted(by: >)
        latest = Array(repeating: [:], count: self.sizes.count)
    }

    /// Up to `limit` tokens that may follow `history`, or none when its tail never occurred
    /// before. `history` must extend the history of earlier calls (it only grows).
    mutating func draft(_ history: [Int32], limit: Int) -> [Int32] {
        guard limit > 0, history.count >= 2 else { return [] }
        if history.count < indexed { reset() }
        // Index n-grams that have a continuation: those ending at most at count - 2, so the
        // tail itself (ending at count - 1) is looked up among earlier occurrences only.
        while indexed < history.count - 1 {
            indexed += 1
            for (s, n) in sizes.enumerated() where indexed >= n {
                latest[s][NGram(history[(indexed - n)..<indexed])] = indexed
            }
        }
        for (s, n) in sizes.enumerated() where history.count >= n {
            guard let next = latest[s][NGram(history[(history.count - n)...])] else { continue }
            return Array(history[next..<min(next + limit, history.count)])
        }
        return []
    }

    private mutating func reset() {
        indexed = 0
        latest = Array(repeating: [:], count: sizes.count)
    }
}

/// Up to `maxSize` token ids as a dictionary key (unused places are -1, never a token id).
struct NGram: Hashable {
    static let maxSize = 4
    private var a: Int32 = -1, b: Int32 = -1, c: Int32 = -1, d: Int32 = -1

    init(_ tokens: ArraySlice<Int32>) {
        var i = tokens.startIndex
        func next() -> Int32 {
            guard i < tokens.endIndex else { return -1 }
            defer { i += 1 }
            return tokens[i]
        }
        a = next()
        b = next()
        c = next()
        d = next()
    }
}
