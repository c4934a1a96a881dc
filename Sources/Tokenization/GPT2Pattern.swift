/// GPT-2's pre-tokenizer pattern (OpenAI encoder.py, also HF ByteLevel's regex):
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
enum GPT2Pattern {
    static func split(_ s: [Unicode.Scalar], _ cls: [ScalarClass], _ span: Range<Int>,
                      _ piece: (Range<Int>) -> Void) {
        var i = span.lowerBound
        let end = span.upperBound
        while i < end {
            let j = matchLength(s, cls, at: i, end: end)
            piece(i..<j)
            i = j
        }
    }

    /// End index of the single pattern match starting at `i` (always > i).
    private static func matchLength(_ s: [Unicode.Scalar], _ cls: [ScalarClass], at i: Int, end: Int) -> Int {
        if s[i] == "'", let n = contractionLength(s, at: i, end: end) {
            return i + n
        }
        var kind = cls[i]
        var j = i + 1
        if s[i] == " ", j < end, cls[j] != .space {
            // " ?X+": an optional single U+0020 joins the following letter/number/other run.
            kind = cls[j]
            j += 1
        }
        if kind != .space {
            while j < end && cls[j] == kind { j += 1 }
            return j
        }
        while j < end && cls[j] == .space { j += 1 }
        // "\s+(?!\S)": a whitespace run followed by non-space gives up its last scalar, which then
        // starts the next piece (" word"); a single one falls through to "\s+".
        if j < end && j - i >= 2 { return j - 1 }
        return j
    }

    /// 's 't 're 've 'm 'll 'd, case-sensitive as in GPT-2's pattern.
    private static func contractionLength(_ s: [Unicode.Scalar], at i: Int, end: Int) -> Int? {
        guard i + 1 < end else { return nil }
        switch s[i + 1] {
        case "s", "t", "m", "d":
            return 2
        case "r", "v":
            return i + 2 < end && s[i + 2] == "e" ? 3 : nil
        case "l":
            return i + 2 < end && s[i + 2] == "l" ? 3 : nil
        default:
            return nil
        }
    }
}
