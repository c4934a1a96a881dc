/// Splits text into the pieces BPE runs on, as `tokenizer.ggml.pre` prescribes.
///
/// - `gpt2`: GPT-2's pattern (see `GPT2Pattern`).
/// - `smollm`: first isolates every \p{N} code point (HF `Digits(individual_digits=True)`,
///   llama.cpp `LLAMA_VOCAB_PRE_TYPE_SMOLLM`), then the gpt2 pattern on each remaining span.
/// - `llama-bpe`: Llama 3's pattern (see `Llama3Pattern`).
/// - `qwen2`: Llama 3's pattern with single digits (`\p{N}` for `\p{N}{1,3}`), as Qwen2's
///   tokenizer.json and llama.cpp `LLAMA_VOCAB_PRE_TYPE_QWEN2` spell it.
/// Patterns are matched by hand over Unicode scalars: alternatives are tried in order at each
/// position, exactly like a regex engine's leftmost-first alternation.
public enum PreTokenizer: String, Sendable {
    case gpt2
    case smollm
    case llamaBPE = "llama-bpe"
    case qwen2

    static let supportedNames = ["smollm", "qwen2", "llama-bpe", "gpt2"]

    /// The pre-tokenizer a `tokenizer.ggml.pre` value names; llama.cpp's converter writes
    /// "gpt-2" for GPT-2 itself.
    public static func named(_ name: String) -> PreTokenizer? {
        name == "gpt-2" ? .gpt2 : PreTokenizer(rawValue: name)
    }

    /// Llama 3 vocabularies take a piece that is itself a token as is (HF `ignore_merges`,
    /// llama.cpp does the same for this pre-tokenizer).
    var ignoresMerges: Bool { self == .llamaBPE }

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
        var out: [Range<Int>] = []
        forEachPiece(scalars) { out.append($0) }
        return out
    }

    /// The ranges of `split`, handed over one at a time: a large text never holds all of
    /// them (16 bytes each; 1 MB of digits is a million pieces).
    func forEachPiece(_ scalars: [Unicode.Scalar], _ piece: (Range<Int>) -> Void) {
        let classes = scalars.map(ScalarClass.init)
        switch self {
        case .gpt2:
            GPT2Pattern.split(scalars, classes, 0..<scalars.count, piece)
        case .smollm:
            var start = 0
            for i in 0..<scalars.count where classes[i] == .number {
                GPT2Pattern.split(scalars, classes, start..<i, piece)
                piece(i..<(i + 1))
                start = i + 1
            }
            GPT2Pattern.split(scalars, classes, start..<scalars.count, piece)
        case .llamaBPE:
            Llama3Pattern.split(scalars, classes, maxDigits: 3, piece)
        case .qwen2:
            Llama3Pattern.split(scalars, classes, maxDigits: 1, piece)
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
