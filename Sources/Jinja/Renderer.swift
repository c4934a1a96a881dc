/// Runs statements: scopes, output, loops, macros. One renderer per render call.
final class Renderer {
    /// Innermost scope last. `for` bodies and macros push a scope, as in jinja2, so a `set`
    /// inside a loop is not seen after it (templates use `namespace()` for that).
    var scopes: [[String: Value]]
    /// Macro calls in progress; capped as Python's recursion limit would stop jinja2.
    var callDepth = 0

    enum Flow { case normal, breakLoop, continueLoop }

    init(globals: [String: Value]) {
        scopes = [Builtins.globals, globals, [:]]
    }

    func lookup(_ name: String) -> Value {
        for scope in scopes.reversed() {
            if let v = scope[name] { return v }
        }
        return .undefined(hint: "'\(name)' is undefined")
    }

    func assign(_ name: String, _ value: Value) {
        scopes[scopes.count - 1][name] = value
    }

    @discardableResult
    func run(_ nodes: [Node], into out: inout JText) throws -> Flow {
        for node in nodes {
            let flow = try run(node, into: &out)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func run(_ node: Node, into out: inout JText) throws -> Flow {
        switch node {
        case .text(let t, _):
            out.append(Segment(t, isLiteral: true))
        case .output(let e, let line):
            let v = try at(line) { try evaluate(e) }
            out.append(try at(line) { try Format.str(v) })
        case .ifChain(let branches, let otherwise, let line):
            for (condition, body) in branches where try at(line, { try evaluate(condition).isTruthy }) {
                return try run(body, into: &out)
            }
            return try run(otherwise, into: &out)
        case .forLoop(let loop):
            try runFor(loop, into: &out)
        case .set(let target, let e, let line):
            try at(line) { try assign(target, try evaluate(e)) }
        case .setBlock(let target, let body, let line):
            var captured = JText(segments: [])
            try run(body, into: &captured)
            try at(line) { try assign(target, .string(captured)) }
        case .macro(let m):
            assign(m.name, .callable(makeMacro(m)))
        case .callBlock(let call, let caller, let line):
            scopes.append(["caller": .callable(makeMacro(caller))])
            defer { scopes.removeLast() }
            out.append(try at(line) { try Format.str(try evaluate(call)) })
        case .loopBreak:
            return .breakLoop
        case .loopContinue:
            return .continueLoop
        case .passthrough(let body):
            return try run(body, into: &out)
        }
        return .normal
    }

    /// Runs `body`, turning evaluation errors into template errors at `line`.
    func at<T>(_ line: Int, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as EvalError {
            throw JinjaError(e.raised ? .raised : .render, e.message, line: line)
        }
    }

    private func assign(_ target: SetTarget, _ value: Value) throws {
        switch target {
        case .names(let names) where names.count == 1:
            assign(names[0], value)
        case .names(let names):
            let items = try Builtins.iterate(value)
            guard items.count == names.count else {
                throw EvalError(message: "cannot unpack \(items.count) values into \(names.count) names")
            }
            for (n, v) in zip(names, items) { assign(n, v) }
        case .attribute(let object, let attribute):
            guard case .namespace(let ns) = lookup(object) else {
                throw EvalError(message: "cannot assign attribute on non-namespace object '\(object)'")
            }
            ns.attributes[attribute] = value
        }
    }
}
