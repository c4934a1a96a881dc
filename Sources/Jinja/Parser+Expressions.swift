/// Expressions with jinja2's precedence, loosest first: `x if c else y`, or, and, not,
/// comparisons and `in`, `+ -`, `~`, `* / // %`, `**`, unary minus, then postfix
/// (`.name`, `[i]`, `[a:b:c]`, calls) with filters `|f` and tests `is t`.
extension Parser {
    mutating func tupleOrExpression(conditional: Bool = true) throws -> Expr {
        let first = try expression(conditional: conditional)
        guard isOp(",") else { return first }
        var items = [first]
        while skipOp(",") {
            if current.kind == .blockEnd || current.kind == .varEnd || isOp(")") { break }
            items.append(try expression(conditional: conditional))
        }
        return .tuple(items)
    }

    mutating func expression(conditional: Bool = true) throws -> Expr {
        try enter()
        defer { depth -= 1 }
        var e = try orExpr()
        guard conditional else { return e }
        while skipName("if") {
            let condition = try orExpr()
            let otherwise = skipName("else") ? try expression() : nil
            e = .conditional(then: e, condition: condition, otherwise: otherwise)
        }
        return e
    }

    private mutating func orExpr() throws -> Expr {
        var e = try andExpr()
        while skipName("or") { e = .or(e, try andExpr()) }
        return e
    }

    private mutating func andExpr() throws -> Expr {
        var e = try notExpr()
        while skipName("and") { e = .and(e, try notExpr()) }
        return e
    }

    private mutating func notExpr() throws -> Expr {
        if skipName("not") { return .not(try notExpr()) }
        return try compareExpr()
    }

    private mutating func compareExpr() throws -> Expr {
        let first = try binary(level: 0)
        var rest: [(String, Expr)] = []
        while true {
            if case .op(let o) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                advance()
                rest.append((o, try binary(level: 0)))
            } else if skipName("in") {
                rest.append(("in", try binary(level: 0)))
            } else if isName("not"), p + 1 < tokens.count, tokens[p + 1].kind == .name("in") {
                p += 2
                rest.append(("not in", try binary(level: 0)))
            } else {
                break
            }
        }
        return rest.isEmpty ? first : .compare(first, rest)
    }

    private static let levels: [[String]] = [["+", "-"], ["~"], ["*", "/", "//", "%"], ["**"]]

    private mutating func binary(level: Int) throws -> Expr {
        guard level < Self.levels.count else { return try unary(withFilter: true) }
        var e = try binary(level: level + 1)
        while case .op(let o) = current.kind, Self.levels[level].contains(o) {
            advance()
            e = .binary(o, e, try binary(level: level + 1))
        }
        return e
    }

    private mutating func unary(withFilter: Bool) throws -> Expr {
        try enter()
        defer { depth -= 1 }
        var e: Expr
        if skipOp("-") {
            e = .unary("-", try unary(withFilter: false))
        } else if skipOp("+") {
            e = .unary("+", try unary(withFilter: false))
        } else {
            e = try primary()
        }
        e = try postfix(e)
        return withFilter ? try filterChain(e) : e
    }

    private mutating func primary() throws -> Expr {
        let token = current
        switch token.kind {
        case .name(let n):
            advance()
            switch n {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(n)
            }
        case .string(var s):
            advance()
            while case .string(let more) = current.kind { s += more; advance() }  // adjacent literals join
            return .literal(.string(s, literal: true))
        case .int(let n):
            advance()
            return .literal(.int(n))
        case .double(let d):
            advance()
            return .literal(.double(d))
        case .op("("):
            advance()
            if skipOp(")") { return .tuple([]) }
            let e = try tupleOrExpression()
            try expect(.op(")"), "')'")
            return e
        case .op("["):
            advance()
            var items: [Expr] = []
            while !skipOp("]") {
                if !items.isEmpty { try expect(.op(","), "','") }
                if skipOp("]") { break }
                items.append(try expression())
            }
            return .list(items)
        case .op("{"):
            advance()
            var pairs: [(Expr, Expr)] = []
            while !skipOp("}") {
                if !pairs.isEmpty { try expect(.op(","), "','") }
                if skipOp("}") { break }
                let key = try expression()
                try expect(.op(":"), "':'")
                pairs.append((key, try expression()))
            }
            return .dict(pairs)
        default:
            throw error("unexpected token in expression")
        }
    }

    private mutating func postfix(_ base: Expr) throws -> Expr {
        var e = base
        while true {
            if skipOp(".") {
                switch current.kind {
                case .name(let n): advance(); e = .attribute(e, n)
                case .int(let n): advance(); e = .index(e, .literal(.int(n)))
                default: throw error("expected an attribute name after '.'")
                }
            } else if skipOp("[") {
                e = try subscriptOrSlice(e)
            } else if isOp("(") {
                e = .call(e, try arguments())
            } else {
                return e
            }
        }
    }

    private mutating func subscriptOrSlice(_ base: Expr) throws -> Expr {
        var parts: [Expr?] = [nil]
        var colons = 0
        while !skipOp("]") {
            if skipOp(":") {
                colons += 1
                guard colons <= 2 else { throw error("too many ':' in slice") }
                parts.append(nil)
            } else {
                guard parts[parts.count - 1] == nil else { throw error("expected ']'") }
                parts[parts.count - 1] = try expression()
            }
        }
        if colons == 0 {
            guard let index = parts[0] else { throw error("empty subscript") }
            return .index(base, index)
        }
        while parts.count < 3 { parts.append(nil) }
        return .slice(base, start: parts[0], stop: parts[1], step: parts[2])
    }

    mutating func arguments() throws -> Arguments {
        try expect(.op("("), "'('")
        var args = Arguments()
        while !skipOp(")") {
            if !args.positional.isEmpty || !args.keyword.isEmpty { try expect(.op(","), "','") }
            if skipOp(")") { break }
            if case .name(let n) = current.kind, p + 1 < tokens.count, tokens[p + 1].kind == .op("=") {
                p += 2
                args.keyword.append((n, try expression()))
            } else {
                guard args.keyword.isEmpty else { throw error("positional argument after keyword argument") }
                args.positional.append(try expression())
            }
        }
        return args
    }

    private mutating func filterChain(_ base: Expr) throws -> Expr {
        var e = base
        while true {
            if skipOp("|") {
                var filterName = try name()
                while skipOp(".") { filterName += "." + (try name()) }
                e = .filter(e, filterName, isOp("(") ? try arguments() : Arguments())
            } else if skipName("is") {
                let negated = skipName("not")
                let testName = try name()
                var args = Arguments()
                if isOp("(") {
                    args = try arguments()
                } else if startsTestArgument {
                    args.positional = [try postfix(try primary())]
                }
                e = .test(e, testName, args, negated: negated)
            } else if isOp("(") {
                e = .call(e, try arguments())
            } else {
                return e
            }
        }
    }

    /// `x is divisibleby 3`: a test takes one bare argument when a primary follows (jinja2's
    /// rule, so `x is defined if c` is a syntax error there and here).
    private var startsTestArgument: Bool {
        switch current.kind {
        case .name(let n): return !["else", "or", "and"].contains(n)
        case .string, .int, .double, .op("["), .op("{"): return true
        default: return false
        }
    }
}
