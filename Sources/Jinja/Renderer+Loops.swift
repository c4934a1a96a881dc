/// `for` loops with jinja2's `loop` object, a filtering `if`, `else` and break/continue;
/// macros and `caller()`.
extension Renderer {
    func runFor(_ loop: ForLoop, into out: inout JText) throws {
        var items = try at(loop.line) { try Builtins.iterate(try evaluate(loop.iterable)) }
        if let condition = loop.condition {
            items = try items.filter { item in
                scopes.append([:])
                defer { scopes.removeLast() }
                try at(loop.line) { try bind(loop.targets, item) }
                return try at(loop.line) { try evaluate(condition).isTruthy }
            }
        }
        if items.isEmpty {
            try run(loop.otherwise, into: &out)
            return
        }
        for (index, item) in items.enumerated() {
            scopes.append(["loop": .dict(Self.loopObject(items, index))])
            defer { scopes.removeLast() }
            try at(loop.line) { try bind(loop.targets, item) }
            if try run(loop.body, into: &out) == .breakLoop { break }
        }
    }

    private func bind(_ targets: [String], _ item: Value) throws {
        guard targets.count > 1 else {
            assign(targets[0], item)
            return
        }
        let parts = try Builtins.iterate(item)
        guard parts.count == targets.count else {
            throw EvalError(message: "cannot unpack \(parts.count) values into \(targets.count) loop variables")
        }
        for (name, v) in zip(targets, parts) { assign(name, v) }
    }

    private static func loopObject(_ items: [Value], _ i: Int) -> OrderedDict {
        let n = items.count
        var d = OrderedDict()
        d["index0"] = .int(i)
        d["index"] = .int(i + 1)
        d["revindex0"] = .int(n - i - 1)
        d["revindex"] = .int(n - i)
        d["first"] = .bool(i == 0)
        d["last"] = .bool(i == n - 1)
        d["length"] = .int(n)
        d["depth"] = .int(1)
        d["depth0"] = .int(0)
        d["previtem"] = i > 0 ? items[i - 1] : .undefined(hint: "there is no previous item")
        d["nextitem"] = i + 1 < n ? items[i + 1] : .undefined(hint: "there is no next item")
        d["cycle"] = .callable(Callable(name: "loop.cycle") { args, _, _ in
            guard !args.isEmpty else { throw EvalError(message: "no items for cycling given") }
            return args[i % args.count]
        })
        return d
    }

    func makeMacro(_ m: Macro) -> Callable {
        Callable(name: m.name) { args, kwargs, renderer in
            guard args.count <= m.parameters.count else {
                throw EvalError(message: "macro '\(m.name)' takes \(m.parameters.count) arguments, got \(args.count)")
            }
            var scope: [String: Value] = [:]
            for (k, (name, defaultExpr)) in m.parameters.enumerated() {
                if k < args.count {
                    scope[name] = args[k]
                } else if let kw = kwargs.first(where: { $0.0 == name }) {
                    scope[name] = kw.1
                } else if let defaultExpr {
                    scope[name] = try renderer.evaluate(defaultExpr)
                } else {
                    scope[name] = .undefined(hint: "parameter '\(name)' was not provided")
                }
            }
            for (k, _) in kwargs where !m.parameters.contains(where: { $0.0 == k }) {
                throw EvalError(message: "macro '\(m.name)' takes no keyword argument '\(k)'")
            }
            guard renderer.callDepth < 100 else { throw EvalError(message: "macro '\(m.name)' recursed too deeply") }
            renderer.callDepth += 1
            renderer.scopes.append(scope)
            defer { renderer.scopes.removeLast(); renderer.callDepth -= 1 }
            var out = JText(segments: [])
            do {
                try renderer.run(m.body, into: &out)
            } catch let e as JinjaError {
                throw EvalError(message: e.message, raised: e.kind == .raised)
            }
            return .string(out)
        }
    }
}
