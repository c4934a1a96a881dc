// A JSON document as parsed by `JSONParser` (RFC 8259). Objects keep their key order so
// responses are written in a stable, readable order; numbers keep their literal so an
// integer field can tell `5` from `5.0` and a 64-bit seed loses no digits.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public static func int(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
    public static func double(_ value: Double) -> JSONValue { .number(JSONNumber(value)) }

    // Short type name used in "must be an integer, got a string"-style messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number(let n): return n.isInteger ? "an integer" : "a non-integer number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

public struct JSONNumber: Equatable, Sendable {
    // The literal as written (for parsed numbers) or as it will be written (for built ones).
    public let literal: String
    // True when the literal has no fraction and no exponent: "5" yes, "5.0" and "5e0" no.
    public let isInteger: Bool
    public let doubleValue: Double

    // The exact value when the literal is an integer that fits Int64.
    public var int64Value: Int64? { isInteger ? Int64(literal) : nil }

    init(literal: String, isInteger: Bool, doubleValue: Double) {
        self.literal = literal
        self.isInteger = isInteger
        self.doubleValue = doubleValue
    }

    public init(_ value: Int) {
        self.init(literal: String(value), isInteger: true, doubleValue: Double(value))
    }

    // JSON has no Inf/NaN; a non-finite measurement (e.g. tokens/s over 0 ms) is written as 0.
    public init(_ value: Double) {
        let finite = value.isFinite ? value : 0
        self.init(literal: "\(finite)", isInteger: false, doubleValue: finite)
    }
}

// An object as an ordered list of members; the parser guarantees unique keys.
public struct JSONObject: Equatable, Sendable {
    public private(set) var members: [(key: String, value: JSONValue)] = []

    public init() {}

    public init(_ members: [(String, JSONValue)]) {
        for (key, value) in members { self[key] = value }
    }

    // For the parser, which has already checked that the key is new.
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        members.append((key, value))
    }

    public var keys: [String] { members.map(\.key) }

    public subscript(key: String) -> JSONValue? {
        get { members.first(where: { $0.key == key })?.value }
        set {
            let index = members.firstIndex(where: { $0.key == key })
            switch (index, newValue) {
            case (let i?, let v?): members[i].value = v
            case (let i?, nil): members.remove(at: i)
            case (nil, let v?): members.append((key, v))
            case (nil, nil): break
            }
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
