/// A run of output text and where it came from: written in the template (a literal, or a
/// value the caller marked as trusted such as `bos_token`) or taken from data. Chat templates
/// need this so that a user typing `<|im_end|>` never becomes a control token.
public struct Segment: Equatable, Sendable {
    public var text: String
    public var isLiteral: Bool

    public init(_ text: String, isLiteral: Bool) {
        self.text = text
        self.isLiteral = isLiteral
    }
}

/// A Jinja string value: its text as segments of known origin. Operations that only join
/// strings (`+`, `~`, `join`, output) keep the segments; operations that transform text
/// (`upper`, `replace`, slicing...) give one segment, literal only if every input part was.
public struct JText: Sendable {
    public private(set) var segments: [Segment]

    public init(segments: [Segment]) {
        self.segments = []
        for s in segments { append(s) }
    }

    public init(_ text: String, isLiteral: Bool) {
        self.init(segments: [Segment(text, isLiteral: isLiteral)])
    }

    public var string: String {
        segments.count == 1 ? segments[0].text : segments.map(\.text).joined()
    }

    public var isLiteral: Bool { segments.allSatisfy(\.isLiteral) }

    /// A transformed copy of the whole text: one segment, literal only if all of it was.
    func mapped(_ transform: (String) -> String) -> JText {
        JText(transform(string), isLiteral: isLiteral)
    }

    mutating func append(_ s: Segment) {
        guard !s.text.isEmpty else { return }
        if let last = segments.last, last.isLiteral == s.isLiteral {
            segments[segments.count - 1].text += s.text
        } else {
            segments.append(s)
        }
    }

    mutating func append(_ t: JText) {
        for s in t.segments { append(s) }
    }

    static func + (a: JText, b: JText) -> JText {
        var out = a
        out.append(b)
        return out
    }
}
