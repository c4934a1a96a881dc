/// Reduces a Jinja chat template to a canonical spelling so that known templates can be
/// recognized despite cosmetic differences: whitespace inside `{{ }}` / `{% %}` tags is
/// dropped (outside string literals), string literals are unescaped and re-quoted with `'`.
/// Text outside tags is kept verbatim because Jinja outputs it.
enum TemplateCanonicalizer {
    static func canonical(_ template: String) -> String {
        let s = Array(template.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var inTag = false
        while i < s.count {
            if !inTag {
                if s[i] == "{", i + 1 < s.count, s[i + 1] == "{" || s[i + 1] == "%" {
                    inTag = true
                    out.append(s[i]); out.append(s[i + 1])
                    i += 2
                } else {
                    out.append(s[i])
                    i += 1
                }
                continue
            }
            let c = s[i]
            if (c == "}" || c == "%"), i + 1 < s.count, s[i + 1] == "}" {
                inTag = false
                out.append(c); out.append(s[i + 1])
                i += 2
            } else if c == "'" || c == "\"" {
                i = appendLiteral(s, from: i, into: &out)
            } else {
                if !c.properties.isWhitespace { out.append(c) }
                i += 1
            }
        }
        return String(out)
    }

    /// Copies the string literal starting at `start` (a quote) with escapes resolved; returns
    /// the index after its closing quote.
    private static func appendLiteral(_ s: [Unicode.Scalar], from start: Int,
                                      into out: inout String.UnicodeScalarView) -> Int {
        let quote = s[start]
        out.append("'")
        var i = start + 1
        while i < s.count, s[i] != quote {
            if s[i] == "\\", i + 1 < s.count {
                switch s[i + 1] {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                default: out.append(s[i + 1])
                }
                i += 2
            } else {
                out.append(s[i])
                i += 1
            }
        }
        out.append("'")
        return i + 1
    }
}
