/// A value while rendering: Python's types as jinja2 sees them. Dicts keep insertion order
/// (Python's do, and `tojson` output must match).
public indirect enum Value: Sendable {
    /// jinja2's default `Undefined`: falsy, prints empty, errors on use. `hint` says why.
    case undefined(hint: String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(JText)
    case list([Value])
    /// Python's tuple: what `(a, b)`, `dict.items()` and `dictsort` give; prints as `(a, b)`.
    case tuple([Value])
    case dict(OrderedDict)
    case namespace(Namespace)
    case callable(Callable)

    public static func string(_ s: String, literal: Bool = false) -> Value {
        .string(JText(s, isLiteral: literal))
    }

    /// The items of a list or tuple.
    var sequenceItems: [Value]? {
        switch self {
        case .list(let items), .tuple(let items): return items
        default: return nil
        }
    }

    public var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// Python truthiness.
    public var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.string.isEmpty
        case .list(let l), .tuple(let l): return !l.isEmpty
        case .dict(let d): return !d.isEmpty
        case .namespace, .callable: return true
        }
    }

    /// jinja2's names for error messages ("'dict object' has no attribute 'x'").
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .callable: return "function"
        }
    }
}

/// A string-keyed dict in insertion order.
public struct OrderedDict: Sendable {
    public private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    public init() {}

    public init(_ pairs: [(String, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public var isEmpty: Bool { keys.isEmpty }
    public var count: Int { keys.count }
    public var values: [Value] { keys.map { storage[$0]! } }
    public var pairs: [(String, Value)] { keys.map { ($0, storage[$0]!) } }

    public subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }
}

/// `namespace()`: the one mutable object of jinja2, so `set ns.x` inside a loop is seen after it.
/// Rendering is single-threaded; a namespace never outlives the render that made it.
// @unchecked: confined to the one thread rendering the template that made it.
public final class Namespace: @unchecked Sendable {
    var attributes: OrderedDict

    init(_ attributes: OrderedDict) {
        self.attributes = attributes
    }
}

/// A global function, filter-like method bound to a value, or a macro.
public struct Callable: Sendable {
    let name: String
    let call: @Sendable (_ args: [Value], _ kwargs: [(String, Value)], _ ctx: Renderer) throws -> Value
}
