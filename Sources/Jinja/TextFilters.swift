/// Filters on text: trim, case changes, replace. `trim` keeps the segments' origins.
enum TextFilters {
    static func apply(_ name: String, _ v: Value, _ a: Filters.Args) -> (() throws -> Value)? {
        switch name {
        case "trim": return { .string(strip(try Format.str(v), chars: try a.string(0, "chars"), leading: true, trailing: true)) }
        case "upper": return { .string(try Format.str(v).mapped { $0.uppercased() }) }
        case "lower": return { .string(try Format.str(v).mapped { $0.lowercased() }) }
        case "capitalize": return { .string(try Format.str(v).mapped(capitalize)) }
        case "title": return { .string(try Format.str(v).mapped(jinjaTitle)) }
        case "replace":
            return {
                guard let old = try a.string(0, "old"), let new = try a.string(1, "new") else {
                    throw EvalError(message: "replace needs old and new strings")
                }
                var limit = -1
                if case .int(let n)? = a.get(2, "count") { limit = n }
                return .string(try Format.str(v).mapped { replace($0, old, new, limit: limit) })
            }
        default: return nil
        }
    }

    /// Python's `str.strip([chars])` over segments: only the ends change, origins stay.
    static func strip(_ t: JText, chars: String?, leading: Bool, trailing: Bool) -> JText {
        let set = chars.map { Set($0.unicodeScalars) }
        func removable(_ c: Unicode.Scalar) -> Bool { set?.contains(c) ?? isPythonSpace(c) }
        var segments = t.segments.map { (Array($0.text.unicodeScalars), $0.isLiteral) }
        if leading {
            while let first = segments.first {
                let kept = Array(first.0.drop(while: removable))
                if kept.isEmpty { segments.removeFirst(); continue }
                segments[0].0 = kept
                break
            }
        }
        if trailing {
            while let last = segments.last {
                var kept = last.0
                while let c = kept.last, removable(c) { kept.removeLast() }
                if kept.isEmpty { segments.removeLast(); continue }
                segments[segments.count - 1].0 = kept
                break
            }
        }
        return JText(segments: segments.map { Segment(String(String.UnicodeScalarView($0.0)), isLiteral: $0.1) })
    }

    static func capitalize(_ s: String) -> String {
        guard let first = s.unicodeScalars.first else { return s }
        return String(first).uppercased() + String(String.UnicodeScalarView(s.unicodeScalars.dropFirst())).lowercased()
    }

    /// jinja2's `title` filter: each piece split at runs of `-`, whitespace or opening
    /// brackets gets its first character upper-cased and the rest lower-cased.
    static func jinjaTitle(_ s: String) -> String {
        func isBreak(_ c: Unicode.Scalar) -> Bool { "-({[<".unicodeScalars.contains(c) || isPythonSpace(c) }
        var out = "", piece = String.UnicodeScalarView(), pieceIsBreak: Bool?
        func flush() { if !piece.isEmpty { out += capitalize(String(piece)) }; piece = .init() }
        for c in s.unicodeScalars {
            if pieceIsBreak != isBreak(c) { flush(); pieceIsBreak = isBreak(c) }
            piece.append(c)
        }
        flush()
        return out
    }

    /// Python's `str.title()`: a cased character after an uncased one starts a word.
    static func pythonTitle(_ s: String) -> String {
        var out = "", previousCased = false
        for c in s.unicodeScalars {
            out += previousCased ? String(c).lowercased() : String(c).uppercased()
            previousCased = c.properties.isCased
        }
        return out
    }

    /// Python's `str.replace(old, new[, count])`, by Unicode scalars.
    static func replace(_ s: String, _ old: String, _ new: String, limit: Int) -> String {
        let hay = Array(s.unicodeScalars), needle = Array(old.unicodeScalars)
        var out = String.UnicodeScalarView(), i = 0, done = 0
        if needle.isEmpty {
            // Python inserts `new` between every character (and at both ends).
            for c in hay {
                if limit < 0 || done < limit { out.append(contentsOf: new.unicodeScalars); done += 1 }
                out.append(c)
            }
            if limit < 0 || done < limit { out.append(contentsOf: new.unicodeScalars) }
            return String(out)
        }
        while i < hay.count {
            if (limit < 0 || done < limit), i + needle.count <= hay.count, hay[i..<(i + needle.count)].elementsEqual(needle) {
                out.append(contentsOf: new.unicodeScalars)
                i += needle.count
                done += 1
            } else {
                out.append(hay[i])
                i += 1
            }
        }
        return String(out)
    }
}

extension String {
    func trimmingPythonSpace() -> String {
        TextFilters.strip(JText(self, isLiteral: false), chars: nil, leading: true, trailing: true).string
    }
}
