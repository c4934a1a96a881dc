/// Expression evaluation with Python's semantics as jinja2 exposes them.
extension Renderer {
    func evaluate(_ e: Expr) throws -> Value {
        switch e {
        case .literal(let v): return v
        case .name(let n): return lookup(n)
        case .list(let items): return .list(try items.map(evaluate))
        case .tuple(let items): return .tuple(try items.map(evaluate))
        case .dict(let pairs):
            var d = OrderedDict()
            for (k, v) in pairs { d[try Format.str(try evaluate(k)).string] = try evaluate(v) }
            return .dict(d)
        case .attribute(let base, let name):
            return try Access.attribute(try evaluate(base), name)
        case .index(let base, let index):
            return try Access.item(try evaluate(base), try evaluate(index))
        case .slice(let base, let start, let stop, let step):
            return try Access.slice(try evaluate(base), try start.map(evaluate), try stop.map(evaluate),
                                    try step.map(evaluate))
        case .call(let callee, let args):
            let f = try evaluate(callee)
            let (positional, keyword) = try evaluate(args)
            guard case .callable(let c) = f else {
                if case .undefined(let hint) = f { throw EvalError(message: hint) }
                throw EvalError(message: "'\(f.typeName)' object is not callable")
            }
            return try c.call(positional, keyword, self)
        case .filter(let base, let name, let args):
            let (positional, keyword) = try evaluate(args)
            return try Filters.apply(name, try evaluate(base), positional, keyword, self)
        case .test(let base, let name, let args, let negated):
            let (positional, _) = try evaluate(args)
            let result = try Tests.apply(name, try evaluate(base), positional, self)
            return .bool(result != negated)
        case .unary(let op, let operand):
            return try Operators.unary(op, try evaluate(operand))
        case .binary(let op, let l, let r):
            return try Operators.binary(op, try evaluate(l), try evaluate(r))
        case .and(let l, let r):
            let left = try evaluate(l)
            return left.isTruthy ? try evaluate(r) : left
        case .or(let l, let r):
            let left = try evaluate(l)
            return left.isTruthy ? left : try evaluate(r)
        case .not(let operand):
            return .bool(!(try evaluate(operand).isTruthy))
        case .compare(let first, let rest):
            var left = try evaluate(first)
            for (op, rightExpr) in rest {
                let right = try evaluate(rightExpr)
                guard try Operators.compare(op, left, right) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let then, let condition, let otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(then) }
            return try otherwise.map(evaluate) ?? .undefined(hint: "the conditional expression's else branch is undefined")
        }
    }

    private func evaluate(_ args: Arguments) throws -> ([Value], [(String, Value)]) {
        (try args.positional.map(evaluate), try args.keyword.map { ($0.0, try evaluate($0.1)) })
    }
}
