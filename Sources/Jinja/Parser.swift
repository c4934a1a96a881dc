/// Builds the statement tree from tokens. Block tags are parsed until one of the closing
/// tags their construct expects (`elif`/`else`/`endif`...).
struct Parser {
    var tokens: [Token]
    var p = 0
    /// Nesting of blocks and expressions so far; capped so a hostile template cannot exhaust the stack.
    var depth = 0
    static let maxDepth = 100

    mutating func enter() throws {
        depth += 1
        guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
    }

    static func parse(_ tokens: [Token]) throws -> [Node] {
        var parser = Parser(tokens: tokens)
        let (nodes, end) = try parser.body(until: [])
        if let end { throw parser.error("unexpected '\(end)'") }
        return nodes
    }

    var current: Token { p < tokens.count ? tokens[p] : Token(kind: .end, line: tokens.last?.line ?? 1) }

    func error(_ message: String) -> JinjaError {
        JinjaError(.syntax, message, line: current.line)
    }

    mutating func advance() { p += 1 }

    /// Parses nodes until a block tag named in `ends`; returns them and that tag's name
    /// (positioned after the name), or nil at the end of the template.
    mutating func body(until ends: Set<String>) throws -> ([Node], String?) {
        try enter()
        defer { depth -= 1 }
        var nodes: [Node] = []
        while p < tokens.count {
            let token = current
            switch token.kind {
            case .text(let t):
                nodes.append(.text(t, line: token.line))
                advance()
            case .varBegin:
                advance()
                let e = try expression()
                try expect(.varEnd, "'}}'")
                nodes.append(.output(e, line: token.line))
            case .blockBegin:
                advance()
                guard case .name(let keyword) = current.kind else { throw error("expected a statement name") }
                if ends.contains(keyword) {
                    advance()
                    return (nodes, keyword)
                }
                advance()
                nodes.append(try statement(keyword, line: token.line))
            default:
                throw error("unexpected token")
            }
        }
        if !ends.isEmpty {
            throw error("unexpected end of template; expected one of \(ends.sorted().joined(separator: ", "))")
        }
        return (nodes, nil)
    }

    mutating func expect(_ kind: TokenKind, _ what: String) throws {
        guard current.kind == kind else { throw error("expected \(what)") }
        advance()
    }

    mutating func expectBlockEnd() throws { try expect(.blockEnd, "'%}'") }

    mutating func name() throws -> String {
        guard case .name(let n) = current.kind else { throw error("expected a name") }
        advance()
        return n
    }

    func isName(_ n: String) -> Bool { current.kind == .name(n) }
    func isOp(_ o: String) -> Bool { current.kind == .op(o) }

    mutating func skipOp(_ o: String) -> Bool {
        guard isOp(o) else { return false }
        advance()
        return true
    }

    mutating func skipName(_ n: String) -> Bool {
        guard isName(n) else { return false }
        advance()
        return true
    }
}
