/// Whether a template reads a variable anywhere, e.g. whether a chat template uses `tools`.
extension Node {
    func references(_ name: String) -> Bool {
        switch self {
        case .text, .loopBreak, .loopContinue: return false
        case .output(let e, _), .set(_, let e, _): return e.references(name)
        case .ifChain(let branches, let otherwise, _):
            return branches.contains { $0.0.references(name) || $0.1.contains { $0.references(name) } }
                || otherwise.contains { $0.references(name) }
        case .forLoop(let l):
            return l.iterable.references(name) || (l.condition?.references(name) ?? false)
                || (l.body + l.otherwise).contains { $0.references(name) }
        case .setBlock(_, let body, _), .passthrough(let body): return body.contains { $0.references(name) }
        case .macro(let m): return m.body.contains { $0.references(name) }
        case .callBlock(let call, let caller, _): return call.references(name) || caller.body.contains { $0.references(name) }
        }
    }
}

extension Expr {
    func references(_ name: String) -> Bool {
        switch self {
        case .literal: return false
        case .name(let n): return n == name
        case .list(let items), .tuple(let items): return items.contains { $0.references(name) }
        case .dict(let pairs): return pairs.contains { $0.0.references(name) || $0.1.references(name) }
        case .attribute(let e, _), .not(let e), .unary(_, let e): return e.references(name)
        case .index(let a, let b), .binary(_, let a, let b), .and(let a, let b), .or(let a, let b):
            return a.references(name) || b.references(name)
        case .slice(let e, let a, let b, let c):
            return e.references(name) || [a, b, c].contains { $0?.references(name) ?? false }
        case .call(let e, let args), .filter(let e, _, let args), .test(let e, _, let args, _):
            return e.references(name) || args.references(name)
        case .compare(let e, let rest): return e.references(name) || rest.contains { $0.1.references(name) }
        case .conditional(let a, let b, let c):
            return a.references(name) || b.references(name) || (c?.references(name) ?? false)
        }
    }
}

extension Arguments {
    func references(_ name: String) -> Bool {
        positional.contains { $0.references(name) } || keyword.contains { $0.1.references(name) }
    }
}
