/// A JSON Schema compiled into grammar rules over bytes: each rule is one kind of JSON value.
/// Rules refer to each other by index, so recursive `$ref`s are plain cycles. Immutable and
/// shared by all requests that use it.
public final class CompiledSchema: Sendable {
    enum Rule: Sendable {
        /// Properties are generated in declared order; optional ones may be skipped. Extra keys
        /// (ASCII, never a declared name) only when `additional` is a rule, after the declared ones.
        case object(ObjectRule)
        case array(item: Int, minItems: Int, maxItems: Int)
        /// Length in Unicode scalars (JSON Schema counts code points); `Int.max` = unbounded.
        case string(minLength: Int, maxLength: Int)
        case integer
        case number
        /// Exactly these bytes (enum / const values, true, false, null).
        case literal([UInt8])
        case anyOf([Int])
    }

    struct ObjectRule: Sendable {
        /// Each key as a JSON string literal with its quotes: `"name"`.
        var keys: [[UInt8]] = []
        var values: [Int] = []
        var required: [Bool] = []
        var additional: Int?
    }

    let rules: [Rule]
    let root: Int
    /// Whitespace bytes allowed between two tokens of JSON: bounded so a model cannot spend its
    /// whole budget on indentation, large enough for pretty-printed nesting.
    public let maxWhitespace: Int

    init(rules: [Rule], root: Int, maxWhitespace: Int) {
        self.rules = rules
        self.root = root
        self.maxWhitespace = maxWhitespace
    }

    /// `{"type": "json_object"}`: any JSON object.
    public static func anyObject(maxWhitespace: Int = SchemaCompiler.defaultMaxWhitespace) -> CompiledSchema {
        var c = SchemaCompiler(root: .object([]), maxWhitespace: maxWhitespace)
        let any = c.anyValue()
        c.rules.append(.object(ObjectRule(additional: any)))
        return CompiledSchema(rules: c.rules, root: c.rules.count - 1, maxWhitespace: maxWhitespace)
    }

    /// Compiles `schema` (JSON Schema 2020-12 subset); throws `GrammarError` naming the first
    /// unsupported keyword or malformed part.
    public static func compile(_ schema: SchemaValue,
                               maxWhitespace: Int = SchemaCompiler.defaultMaxWhitespace) throws -> CompiledSchema {
        var c = SchemaCompiler(root: schema, maxWhitespace: maxWhitespace)
        let root = try c.compile(schema, at: "#")
        return CompiledSchema(rules: c.rules, root: root, maxWhitespace: maxWhitespace)
    }
}
