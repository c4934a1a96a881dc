/// A JSON document as the schema compiler reads it. Objects keep their member order, since
/// property order is the order the grammar generates them in. The API layer converts its own
/// parsed JSON into this; Grammar depends on nothing.
public indirect enum SchemaValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// `literal` is the number as written (kept so `enum: [1.50]` is generated as written);
    /// `isInteger`: no fraction and no exponent.
    case number(literal: String, isInteger: Bool)
    case string(String)
    case array([SchemaValue])
    case object([(key: String, value: SchemaValue)])

    public static func == (lhs: SchemaValue, rhs: SchemaValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a, _), .number(b, _)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    subscript(key: String) -> SchemaValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// JSON Schema type name of this value ("integer" for integral numbers).
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(_, let isInteger): return isInteger ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Compact JSON text (RFC 8259), the one spelling the grammar generates for enum/const.
    public var jsonBytes: [UInt8] {
        switch self {
        case .null: return Array("null".utf8)
        case .bool(let b): return Array((b ? "true" : "false").utf8)
        case .number(let literal, _): return Array(literal.utf8)
        case .string(let s): return Self.quoted(s)
        case .array(let items):
            var out: [UInt8] = [UInt8(ascii: "[")]
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += item.jsonBytes
            }
            return out + [UInt8(ascii: "]")]
        case .object(let members):
            var out: [UInt8] = [UInt8(ascii: "{")]
            for (i, m) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += Self.quoted(m.key) + [UInt8(ascii: ":")] + m.value.jsonBytes
            }
            return out + [UInt8(ascii: "}")]
        }
    }

    /// A JSON string literal: quote, backslash and control characters escaped, the rest as UTF-8.
    static func quoted(_ s: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}
