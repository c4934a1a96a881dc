/// jinja2's `is` tests.
enum Tests {
    static func apply(_ name: String, _ v: Value, _ args: [Value], _ renderer: Renderer) throws -> Bool {
        switch name {
        case "defined": return !v.isUndefined
        case "undefined": return v.isUndefined
        case "none": if case .none = v { return true }; return false
        case "boolean": if case .bool = v { return true }; return false
        case "true": if case .bool(true) = v { return true }; return false
        case "false": if case .bool(false) = v { return true }; return false
        case "string": if case .string = v { return true }; return false
        case "mapping": if case .dict = v { return true }; return false
        case "number":
            switch v { case .int, .double, .bool: return true; default: return false }
        case "integer": if case .int = v { return true }; return false
        case "float": if case .double = v { return true }; return false
        case "iterable", "sequence":
            switch v { case .list, .tuple, .dict, .string: return true; default: return false }
        case "callable": if case .callable = v { return true }; return false
        case "odd", "even":
            guard case .int(let n)? = Operators.number(v) else { throw EvalError(message: "'\(name)' needs an integer") }
            return (abs(n) % 2 == 1) == (name == "odd")
        case "divisibleby":
            guard case .int(let n)? = Operators.number(v), let d = args.first.flatMap(Operators.number),
                  case .int(let m) = d, m != 0 else { throw EvalError(message: "'divisibleby' needs non-zero integers") }
            return n % m == 0
        case "lower", "upper":
            guard case .string(let s) = v else { return false }
            return name == "lower" ? s.string == s.string.lowercased() : s.string == s.string.uppercased()
        case "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt", "greaterthan", ">", "ge", ">=",
             "in", "sameas":
            guard let other = args.first else { throw EvalError(message: "test '\(name)' needs an argument") }
            return try Operators.compare(comparison(name), v, other)
        default:
            throw EvalError(message: "no test named '\(name)'")
        }
    }

    private static func comparison(_ name: String) -> String {
        switch name {
        case "eq", "equalto", "==", "sameas": return "=="
        case "ne", "!=": return "!="
        case "lt", "lessthan", "<": return "<"
        case "le", "<=": return "<="
        case "gt", "greaterthan", ">": return ">"
        case "ge", ">=": return ">="
        default: return "in"
        }
    }
}
