/// Splits text into the pieces BPE runs on, as `tokenizer.ggml.pre` prescribes.
///
/// `gpt2` is GPT-2's pattern
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// `smollm` first isolates every \p{N} code point (HF `Digits(individual_digits=True)`, llama.cpp
/// `LLAMA_VOCAB_PRE_TYPE_SMOLLM`), then applies the gpt2 pattern to each remaining span.
/// The pattern is matched by hand over Unicode scalars: alternatives are tried in order at
/// each position, exactly like the regex engine's leftmost-first alternation.
public enum PreTokenizer: String, Sendable {
    case gpt2
    case smollm

    static let supportedNames = ["smollm", "gpt2"]

    /// The pieces of `text` as strings (for inspection and tests).
    public func pieces(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return split(scalars).map { range in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            return String(view)
        }
    }

    /// Ranges of scalar indices; they tile `0..<scalars.count` in order.
    func split(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        let classes = scalars.map(ScalarClass.init)
        var out: [Range<Int>] = []
        out.reserveCapacity(scalars.count / 3 + 1)
        switch self {
        case .gpt2:
            Self.splitGPT2(scalars, classes, 0..<scalars.count, into: &out)
        case .smollm:
            var start = 0
            for i in 0..<scalars.count where classes[i] == .number {
                Self.splitGPT2(scalars, classes, start..<i, into: &out)
                out.append(i..<(i + 1))
                start = i + 1
            }
            Self.splitGPT2(scalars, classes, start..<scalars.count, into: &out)
        }
        return out
    }

    private static func splitGPT2(_ s: [Unicode.Scalar], _ cls: [ScalarClass], _ span: Range<Int>,
                                  into out: inout [Range<Int>]) {
        var i = span.lowerBound
        let end = span.upperBound
        while i < end {
            let j = matchLength(s, cls, at: i, end: end)
            out.append(i..<j)
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

/// The character classes the gpt2 pattern distinguishes. `space` is `\s` (Unicode White_Space,
/// which is what Oniguruma's and PCRE's Unicode `\s` match); `letter` is \p{L}; `number` is \p{N}.
enum ScalarClass: UInt8 {
    case letter, number, space, other

    init(_ s: Unicode.Scalar) {
        if s.value < 0x80 {
            self = ScalarClass.ascii[Int(s.value)]
            return
        }
        let p = s.properties
        if p.isWhitespace { self = .space; return }
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            self = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            self = .number
        default:
            self = .other
        }
    }

    private static let ascii: [ScalarClass] = (0..<128).map { v in
        switch UInt8(v) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case 0x09...0x0D, 0x20: return .space
        default: return .other
        }
    }
}
