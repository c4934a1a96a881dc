/// Turns a JSON Schema into `CompiledSchema` rules. Supported: type (string or list), properties,
/// required, additionalProperties (bool or schema), items, minItems, maxItems, minLength,
/// maxLength, enum, const, anyOf, $ref to "#", "#/$defs/..." or "#/definitions/...".
/// Annotations are ignored (`format` too: 2020-12 treats it as an annotation by default).
/// Any other keyword is an error rather than silently unenforced.
public struct SchemaCompiler {
    /// Per gap between JSON tokens: room for a newline and some indentation.
    public static let defaultMaxWhitespace = 12
    static let maxFreeKeyProperties = 64

    static let annotations: Set<String> = [
        "title", "description", "default", "examples", "$schema", "$id", "$comment", "deprecated",
        "readOnly", "writeOnly", "format", "$defs", "definitions",
    ]
    static let supported: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
        "minLength", "maxLength", "enum", "const", "anyOf", "$ref",
    ]
    static let types = ["object", "array", "string", "integer", "number", "boolean", "null"]

    var rules: [CompiledSchema.Rule] = []
    let root: SchemaValue
    let maxWhitespace: Int
    var refs: [String: Int] = [:]
    private var anyRule: Int?

    init(root: SchemaValue, maxWhitespace: Int) {
        self.root = root
        self.maxWhitespace = maxWhitespace
    }

    mutating func add(_ rule: CompiledSchema.Rule) -> Int {
        rules.append(rule)
        return rules.count - 1
    }

    mutating func compile(_ schema: SchemaValue, at path: String) throws -> Int {
        switch schema {
        case .bool(true): return anyValue()
        case .bool(false): throw GrammarError.invalidSchema("the schema false matches nothing", at: path)
        case .object(let members):
            for (key, _) in members where !Self.annotations.contains(key) && !Self.supported.contains(key) {
                throw GrammarError.unsupportedKeyword(key, at: path)
            }
            if let ref = schema["$ref"] { return try compileRef(ref, schema, at: path) }
            if let alternatives = schema["anyOf"] { return try compileAnyOf(alternatives, schema, at: path) }
            if let value = schema["const"] { return try literals([value], schema, at: path, keyword: "const") }
            if let values = schema["enum"] {
                guard case .array(let list) = values, !list.isEmpty else {
                    throw GrammarError.invalidSchema("enum must be a non-empty array", at: path + "/enum")
                }
                return try literals(list, schema, at: path, keyword: "enum")
            }
            let alternatives = try typeNames(schema, at: path).map { try compileType($0, schema, at: path) }
            return alternatives.count == 1 ? alternatives[0] : add(.anyOf(alternatives))
        default:
            throw GrammarError.invalidSchema("a schema must be an object or a boolean, got \(schema.typeName)", at: path)
        }
    }

    /// The `type` list; without one, the type the other keywords imply, else any value.
    private func typeNames(_ schema: SchemaValue, at path: String) throws -> [String] {
        switch schema["type"] {
        case .string(let t)?:
            guard Self.types.contains(t) else { throw GrammarError.invalidSchema("unknown type \"\(t)\"", at: path + "/type") }
            return [t]
        case .array(let list)?:
            let names = try list.map { v -> String in
                guard case .string(let t) = v, Self.types.contains(t) else {
                    throw GrammarError.invalidSchema("type must list type names", at: path + "/type")
                }
                return t
            }
            guard !names.isEmpty else { throw GrammarError.invalidSchema("type must not be empty", at: path + "/type") }
            return names
        case nil:
            if ["properties", "required", "additionalProperties"].contains(where: { schema[$0] != nil }) { return ["object"] }
            if ["items", "minItems", "maxItems"].contains(where: { schema[$0] != nil }) { return ["array"] }
            if ["minLength", "maxLength"].contains(where: { schema[$0] != nil }) { return ["string"] }
            return ["any"]
        case let other?:
            throw GrammarError.invalidSchema("type must be a string or an array, got \(other.typeName)", at: path + "/type")
        }
    }

    private mutating func compileType(_ type: String, _ schema: SchemaValue, at path: String) throws -> Int {
        switch type {
        case "object": return try compileObject(schema, at: path)
        case "array": return try compileArray(schema, at: path)
        case "string":
            let (minLength, maxLength) = try bounds(schema, "minLength", "maxLength", at: path)
            return add(.string(minLength: minLength, maxLength: maxLength))
        case "integer": return add(.integer)
        case "number": return add(.number)
        case "boolean": return add(.anyOf([add(.literal(Array("true".utf8))), add(.literal(Array("false".utf8)))]))
        case "null": return add(.literal(Array("null".utf8)))
        default: return anyValue()
        }
    }

    /// A non-negative integer pair such as minItems/maxItems; absent max = `Int.max`.
    func bounds(_ schema: SchemaValue, _ lower: String, _ upper: String, at path: String) throws -> (Int, Int) {
        func read(_ key: String) throws -> Int? {
            guard let v = schema[key] else { return nil }
            guard case .number(let literal, true) = v, let n = Int(literal), n >= 0 else {
                throw GrammarError.invalidSchema("\(key) must be a non-negative integer", at: path + "/" + key)
            }
            return n
        }
        let lo = try read(lower) ?? 0, hi = try read(upper) ?? Int.max
        guard lo <= hi else { throw GrammarError.invalidSchema("\(lower) is greater than \(upper)", at: path) }
        return (lo, hi)
    }

    /// Any JSON value (the `{}` / `true` schema and json_object members); one shared rule.
    mutating func anyValue() -> Int {
        if let anyRule { return anyRule }
        let any = add(.anyOf([]))
        anyRule = any
        let alternatives = [
            add(.object(CompiledSchema.ObjectRule(additional: any))),
            add(.array(item: any, minItems: 0, maxItems: Int.max)),
            add(.string(minLength: 0, maxLength: Int.max)),
            add(.number),
            add(.literal(Array("true".utf8))), add(.literal(Array("false".utf8))), add(.literal(Array("null".utf8))),
        ]
        rules[any] = .anyOf(alternatives)
        return any
    }
}
