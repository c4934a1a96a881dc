/// Python's `str.format` for plain fields: `{}`, `{0}`, `{name}`, `{{`, `}}` (no format specs).
enum StringFormat {
    static func format(_ template: String, _ args: [Value], _ kwargs: [(String, Value)]) throws -> String {
        let s = Array(template.unicodeScalars)
        var out = "", i = 0, automatic = 0
        while i < s.count {
            let c = s[i]
            if c == "{", i + 1 < s.count, s[i + 1] == "{" { out += "{"; i += 2; continue }
            if c == "}", i + 1 < s.count, s[i + 1] == "}" { out += "}"; i += 2; continue }
            guard c == "{" else { out.unicodeScalars.append(c); i += 1; continue }
            guard let close = s[i...].firstIndex(of: "}") else { throw EvalError(message: "single '{' in format string") }
            let field = String(String.UnicodeScalarView(s[(i + 1)..<close]))
            guard !field.contains(":"), !field.contains("!") else {
                throw EvalError(message: "format specs in str.format are not supported")
            }
            let value: Value?
            if field.isEmpty { value = automatic < args.count ? args[automatic] : nil; automatic += 1 }
            else if let n = Int(field) { value = n < args.count ? args[n] : nil }
            else { value = kwargs.first { $0.0 == field }?.1 }
            guard let value else { throw EvalError(message: "missing format argument '\(field)'") }
            out += try Format.str(value).string
            i = close + 1
        }
        return out
    }
}
