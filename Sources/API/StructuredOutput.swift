import Grammar

/// Structured output as clients ask for it, compiled once per request into the grammar the
/// engine enforces (`GenerationRequest.constraint = output.compiled`). Three spellings:
/// - `/generate` `json_schema`: the JSON Schema object itself;
/// - OpenAI Chat Completions `response_format`: `{"type": "text"}`, `{"type": "json_object"}`
///   or `{"type": "json_schema", "json_schema": {"name", "schema", "strict", "description"}}`;
/// - OpenAI Responses `text.format`: the same types with the json_schema members flattened
///   (`{"type": "json_schema", "name", "schema", "strict"}`).
/// Every failure is a 400 naming the parameter and, for schemas, the unsupported keyword.
public struct StructuredOutput: Equatable {
    /// The schema as sent; nil for json_object (any object).
    public let schema: JSONValue?
    public let compiled: CompiledSchema

    public static func == (lhs: StructuredOutput, rhs: StructuredOutput) -> Bool { lhs.schema == rhs.schema }

    public static func jsonSchema(_ value: JSONValue, param: String) throws -> StructuredOutput {
        guard case .object = value else {
            throw APIError.invalid(param, "\(param) must be a JSON Schema object, got \(value.typeName)")
        }
        do {
            return StructuredOutput(schema: value, compiled: try CompiledSchema.compile(value.schemaValue))
        } catch let error as GrammarError {
            throw APIError.invalid(param, "\(param): \(error)")
        }
    }

    /// nil for `{"type": "text"}` (no constraint).
    public static func responseFormat(_ value: JSONValue, param: String = "response_format") throws -> StructuredOutput? {
        let r = try FieldReader(value: value, param: param, allowed: ["type", "json_schema"])
        switch try formatType(r, param: param) {
        case "json_schema":
            guard let inner = r.value("json_schema") else {
                throw APIError.invalid(param + ".json_schema", "\(param).json_schema is required for type json_schema")
            }
            let f = try FieldReader(value: inner, param: param + ".json_schema",
                                    allowed: ["name", "schema", "strict", "description"])
            return try schemaMember(f, param: param + ".json_schema")
        case "json_object":
            return StructuredOutput(schema: nil, compiled: CompiledSchema.anyObject())
        default:
            return nil
        }
    }

    /// nil for `{"type": "text"}` (no constraint).
    public static func textFormat(_ value: JSONValue, param: String = "text.format") throws -> StructuredOutput? {
        let r = try FieldReader(value: value, param: param, allowed: ["type", "name", "schema", "strict", "description"])
        switch try formatType(r, param: param) {
        case "json_schema": return try schemaMember(r, param: param)
        case "json_object": return StructuredOutput(schema: nil, compiled: CompiledSchema.anyObject())
        default: return nil
        }
    }

    private static func formatType(_ r: FieldReader, param: String) throws -> String {
        guard let type = try r.string("type") else { throw APIError.invalid(param + ".type", "\(param).type is required") }
        guard ["text", "json_object", "json_schema"].contains(type) else {
            throw APIError.invalid(param + ".type", "\(param).type must be text, json_object or json_schema, got \"\(type)\"")
        }
        return type
    }

    /// `schema` is required; `strict` is accepted either way, since every output is held to
    /// the schema (OpenAI's strict mode) whenever one is given.
    private static func schemaMember(_ r: FieldReader, param: String) throws -> StructuredOutput {
        _ = try r.bool("strict")
        _ = try r.string("name")
        guard let schema = r.value("schema") else {
            throw APIError.invalid(param + ".schema", "\(param).schema is required")
        }
        return try jsonSchema(schema, param: param + ".schema")
    }
}

extension JSONValue {
    /// The same document in the Grammar module's terms (member order kept).
    var schemaValue: SchemaValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return .number(literal: n.literal, isInteger: n.isInteger)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(\.schemaValue))
        case .object(let o): return .object(o.members.map { (key: $0.key, value: $0.value.schemaValue) })
        }
    }
}
