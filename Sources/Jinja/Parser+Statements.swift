/// The block statements: if, for, set, macro, call, break/continue, generation.
extension Parser {
    mutating func statement(_ keyword: String, line: Int) throws -> Node {
        switch keyword {
        case "if": return try ifStatement(line: line)
        case "for": return try forStatement(line: line)
        case "set": return try setStatement(line: line)
        case "macro": return .macro(try macro(line: line))
        case "call": return try callBlock(line: line)
        case "break":
            try expectBlockEnd()
            return .loopBreak(line: line)
        case "continue":
            try expectBlockEnd()
            return .loopContinue(line: line)
        case "generation":
            try expectBlockEnd()
            let (nodes, _) = try body(until: ["endgeneration"])
            try expectBlockEnd()
            return .passthrough(nodes)
        default:
            throw JinjaError(.syntax, "unknown or unsupported statement '\(keyword)'", line: line)
        }
    }

    private mutating func ifStatement(line: Int) throws -> Node {
        var branches: [(Expr, [Node])] = []
        var condition = try expression()
        while true {
            try expectBlockEnd()
            let (nodes, end) = try body(until: ["elif", "else", "endif"])
            branches.append((condition, nodes))
            switch end {
            case "elif":
                condition = try expression()
            case "else":
                try expectBlockEnd()
                let (otherwise, _) = try body(until: ["endif"])
                try expectBlockEnd()
                return .ifChain(branches, otherwise: otherwise, line: line)
            default:
                try expectBlockEnd()
                return .ifChain(branches, otherwise: [], line: line)
            }
        }
    }

    private mutating func forStatement(line: Int) throws -> Node {
        var targets = [try name()]
        while skipOp(",") { targets.append(try name()) }
        guard skipName("in") else { throw error("expected 'in' in for loop") }
        let iterable = try expression(conditional: false)
        var condition: Expr?
        if skipName("if") { condition = try expression(conditional: false) }
        if skipName("recursive") { throw error("recursive for loops are not supported") }
        try expectBlockEnd()
        let (nodes, end) = try body(until: ["else", "endfor"])
        var otherwise: [Node] = []
        try expectBlockEnd()
        if end == "else" {
            (otherwise, _) = try body(until: ["endfor"])
            try expectBlockEnd()
        }
        return .forLoop(ForLoop(targets: targets, iterable: iterable, condition: condition,
                                body: nodes, otherwise: otherwise, line: line))
    }

    private mutating func setStatement(line: Int) throws -> Node {
        let first = try name()
        var target = SetTarget.names([first])
        if skipOp(".") {
            target = .attribute(first, try name())
        } else {
            var names = [first]
            while skipOp(",") { names.append(try name()) }
            target = .names(names)
        }
        if skipOp("=") {
            let value = try tupleOrExpression()
            try expectBlockEnd()
            return .set(target, value, line: line)
        }
        if isOp("|") { throw error("filtered block set is not supported") }
        try expectBlockEnd()
        let (nodes, _) = try body(until: ["endset"])
        try expectBlockEnd()
        return .setBlock(target, nodes, line: line)
    }

    private mutating func macro(line: Int) throws -> Macro {
        let macroName = try name()
        let parameters = try parameterList()
        try expectBlockEnd()
        let (nodes, _) = try body(until: ["endmacro"])
        if case .name = current.kind { advance() }  // `{% endmacro name %}`
        try expectBlockEnd()
        return Macro(name: macroName, parameters: parameters, body: nodes, line: line)
    }

    private mutating func parameterList() throws -> [(String, Expr?)] {
        var parameters: [(String, Expr?)] = []
        guard skipOp("(") else { return [] }
        while !skipOp(")") {
            if !parameters.isEmpty { try expect(.op(","), "','") }
            if skipOp(")") { break }
            let n = try name()
            parameters.append((n, skipOp("=") ? try expression() : nil))
        }
        return parameters
    }

    private mutating func callBlock(line: Int) throws -> Node {
        let parameters = isOp("(") ? try parameterList() : []
        let call = try expression()
        guard case .call = call else { throw error("expected a macro call after 'call'") }
        try expectBlockEnd()
        let (nodes, _) = try body(until: ["endcall"])
        try expectBlockEnd()
        return .callBlock(call: call, caller: Macro(name: "caller", parameters: parameters, body: nodes, line: line),
                          line: line)
    }
}
