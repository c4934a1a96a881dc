/// `map`, `select`, `reject`, `selectattr`, `rejectattr`.
enum Sequences {
    static func apply(_ name: String, _ v: Value, _ a: Filters.Args, _ renderer: Renderer) throws -> Value {
        let items = try Builtins.iterate(v)
        switch name {
        case "map":
            if let attribute = a.keyword.first(where: { $0.0 == "attribute" })?.1 {
                let fallback = a.keyword.first { $0.0 == "default" }?.1
                return .list(try items.map { item in
                    let got = try Access.attribute(item, try Format.str(attribute).string)
                    return got.isUndefined ? (fallback ?? got) : got
                })
            }
            guard case .string(let filter)? = a.positional.first else { throw EvalError(message: "map needs a filter name or attribute=") }
            let rest = Array(a.positional.dropFirst())
            return .list(try items.map { try Filters.apply(filter.string, $0, rest, a.keyword, renderer) })
        case "select", "reject":
            return .list(try items.filter { try passes($0, a.positional, renderer) == (name == "select") })
        default:
            guard case .string(let attribute)? = a.positional.first else { throw EvalError(message: "\(name) needs an attribute name") }
            let testArgs = Array(a.positional.dropFirst())
            return .list(try items.filter { item in
                let value = try Access.attribute(item, attribute.string)
                return try passes(value, testArgs, renderer) == (name == "selectattr")
            })
        }
    }

    /// The named test with its arguments, or truthiness when no test is named.
    private static func passes(_ v: Value, _ args: [Value], _ renderer: Renderer) throws -> Bool {
        guard case .string(let test)? = args.first else { return v.isTruthy }
        return try Tests.apply(test.string, v, Array(args.dropFirst()), renderer)
    }
}
