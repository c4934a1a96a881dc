/// Splits a template into text and tag tokens, applying jinja2's whitespace rules:
/// `{%-`/`-%}` (and for `{{ }}`, `{# #}`) strip all whitespace on that side; `trim_blocks`
/// removes the first newline after a block or comment tag; `lstrip_blocks` removes spaces and
/// tabs before a block or comment tag that starts its line (`{%+` opts out). As jinja2 does
/// with `keep_trailing_newline=False`, line endings become "\n" and one final newline is dropped.
struct Lexer {
    struct Options {
        var trimBlocks: Bool
        var lstripBlocks: Bool
    }

    let s: [Unicode.Scalar]
    private let options: Options
    var i = 0
    var line = 1
    private var tokens: [Token] = []

    static func tokenize(_ source: String, options: Options) throws -> [Token] {
        var lexer = Lexer(source: source, options: options)
        try lexer.run()
        return lexer.tokens
    }

    private init(source: String, options: Options) {
        var scalars: [Unicode.Scalar] = []
        var it = source.unicodeScalars.makeIterator()
        var pending = it.next()
        while let c = pending {
            pending = it.next()
            if c == "\r" {
                scalars.append("\n")
                if pending == "\n" { pending = it.next() }
            } else {
                scalars.append(c)
            }
        }
        if scalars.last == "\n" { scalars.removeLast() }
        self.s = scalars
        self.options = options
    }

    private mutating func run() throws {
        var stripNext = false     // the previous tag ended with `-`
        var lineStarting = true   // the previous tag's end consumed a newline (or start of template)
        while i < s.count {
            let open = nextTagOpen(from: i)
            var text = Array(s[i..<(open ?? s.count)])
            if stripNext { text = Array(text.drop(while: isPythonSpace)) }
            if let open, open + 2 <= s.count {
                let kind = s[open + 1]
                let sigil: Unicode.Scalar? = open + 2 < s.count ? s[open + 2] : nil
                if sigil == "-" {
                    while let last = text.last, isPythonSpace(last) { text.removeLast() }
                } else if kind != "{", sigil != "+", options.lstripBlocks {
                    lstrip(&text, lineStarting: lineStarting)
                }
            }
            if !text.isEmpty { emit(.text(String(String.UnicodeScalarView(text)))) }
            countLines(from: i, to: open ?? s.count)
            guard let open else { break }
            i = open
            (stripNext, lineStarting) = try tag()
        }
    }

    /// lstrip_blocks: drop the spaces before the tag when only they stand between it and the line start.
    private func lstrip(_ text: inout [Unicode.Scalar], lineStarting: Bool) {
        let lineStart = (text.lastIndex(of: "\n").map { $0 + 1 }) ?? 0
        guard lineStart > 0 || lineStarting, lineStart < text.count,
              text[lineStart...].allSatisfy(isPythonSpace) else { return }
        text.removeSubrange(lineStart...)
    }

    private func nextTagOpen(from start: Int) -> Int? {
        var j = start
        while j + 1 < s.count {
            if s[j] == "{", s[j + 1] == "{" || s[j + 1] == "%" || s[j + 1] == "#" { return j }
            j += 1
        }
        return nil
    }

    private mutating func countLines(from a: Int, to b: Int) {
        for k in a..<b where s[k] == "\n" { line += 1 }
    }

    mutating func emit(_ kind: TokenKind) {
        tokens.append(Token(kind: kind, line: line))
    }

    /// Lexes the tag at `i`; returns (strip the next text, a newline was consumed at its end).
    private mutating func tag() throws -> (Bool, Bool) {
        let kind = s[i + 1]
        i += 2
        if i < s.count, s[i] == "-" || s[i] == "+" { i += 1 }
        if kind == "#" { return try comment() }
        emit(kind == "%" ? .blockBegin : .varBegin)
        let closer: Unicode.Scalar = kind == "%" ? "%" : "}"
        while true {
            skipSpaces()
            guard i < s.count else {
                throw JinjaError(.syntax, "unexpected end of template inside a tag", line: line)
            }
            var stripAfter = false
            var j = i
            if s[j] == "-", j + 2 < s.count, s[j + 1] == closer, s[j + 2] == "}" { stripAfter = true; j += 1 }
            else if s[j] == "+", j + 2 < s.count, s[j + 1] == closer, s[j + 2] == "}" { j += 1 }
            if j + 1 < s.count, s[j] == closer, s[j + 1] == "}" {
                i = j + 2
                emit(kind == "%" ? .blockEnd : .varEnd)
                return finishTag(strip: stripAfter, trims: kind == "%")
            }
            try expressionToken()
        }
    }

    private mutating func comment() throws -> (Bool, Bool) {
        while i + 1 < s.count, !(s[i] == "#" && s[i + 1] == "}") {
            if s[i] == "\n" { line += 1 }
            i += 1
        }
        guard i + 1 < s.count else { throw JinjaError(.syntax, "unclosed comment", line: line) }
        let strip = i > 0 && s[i - 1] == "-"
        i += 2
        return finishTag(strip: strip, trims: true)
    }

    private mutating func finishTag(strip: Bool, trims: Bool) -> (Bool, Bool) {
        if strip {
            // Like jinja2's `-%}\s*`: whether the stripped run ended a line decides lstrip_blocks.
            var j = i, sawNewline = false
            while j < s.count, isPythonSpace(s[j]) { sawNewline = s[j] == "\n"; j += 1 }
            return (true, sawNewline)
        }
        if trims, options.trimBlocks, i < s.count, s[i] == "\n" {
            i += 1
            line += 1
            return (false, true)
        }
        return (false, false)
    }

    private mutating func skipSpaces() {
        while i < s.count, isPythonSpace(s[i]) {
            if s[i] == "\n" { line += 1 }
            i += 1
        }
    }
}

/// Python's `str.isspace()` (and what `\s` matches in a `str` regex).
func isPythonSpace(_ c: Unicode.Scalar) -> Bool {
    c.properties.isWhitespace || (0x1C...0x1F).contains(c.value)
}
