/// Llama 3's pre-tokenizer pattern (llama.cpp `LLAMA_VOCAB_PRE_TYPE_LLAMA3`, HF `Split`):
///     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
///     | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// Qwen2's is the same with `\p{N}` (one digit) for `\p{N}{1,3}`: `maxDigits` is 3 or 1.
enum Llama3Pattern {
    static func split(_ s: [Unicode.Scalar], _ cls: [ScalarClass], maxDigits: Int, _ piece: (Range<Int>) -> Void) {
        var i = 0
        while i < s.count {
            let j = matchEnd(s, cls, at: i, maxDigits: maxDigits)
            piece(i..<j)
            i = j
        }
    }

    private static func isNewline(_ c: Unicode.Scalar) -> Bool { c == "\r" || c == "\n" }

    /// End index of the single pattern match starting at `i` (always > i).
    private static func matchEnd(_ s: [Unicode.Scalar], _ cls: [ScalarClass], at i: Int, maxDigits: Int) -> Int {
        let end = s.count
        if s[i] == "'", let n = contraction(s, at: i) { return i + n }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        var start = i
        if cls[i] != .letter, cls[i] != .number, !isNewline(s[i]), i + 1 < end, cls[i + 1] == .letter {
            start = i + 1
        }
        if cls[start] == .letter { return run(cls, from: start, of: .letter) }
        // \p{N}{1,maxDigits}
        if cls[i] == .number { return min(run(cls, from: i, of: .number), i + maxDigits) }
        // " ?[^\s\p{L}\p{N}]+[\r\n]*"
        let other = s[i] == " " && i + 1 < end && cls[i + 1] == .other ? i + 1 : i
        if cls[other] == .other {
            var j = run(cls, from: other, of: .other)
            while j < end && isNewline(s[j]) { j += 1 }
            return j
        }
        // Whitespace from here on.
        let runEnd = run(cls, from: i, of: .space)
        // \s*[\r\n]+: up to and including the run's last newline.
        if let last = (i..<runEnd).last(where: { isNewline(s[$0]) }) { return last + 1 }
        // \s+(?!\S) then \s+, as in GPT-2.
        if runEnd < end && runEnd - i >= 2 { return runEnd - 1 }
        return runEnd
    }

    private static func run(_ cls: [ScalarClass], from i: Int, of kind: ScalarClass) -> Int {
        var j = i
        while j < cls.count && cls[j] == kind { j += 1 }
        return j
    }

    /// Case-insensitive 's 't 're 've 'm 'll 'd.
    private static func contraction(_ s: [Unicode.Scalar], at i: Int) -> Int? {
        func lower(_ k: Int) -> Unicode.Scalar? {
            guard k < s.count, s[k].isASCII else { return nil }
            return Unicode.Scalar(UInt8(s[k].value) | 0x20)
        }
        switch lower(i + 1) {
        case "s", "t", "m", "d": return 2
        case "r", "v": return lower(i + 2) == "e" ? 3 : nil
        case "l": return lower(i + 2) == "l" ? 3 : nil
        default: return nil
        }
    }
}
