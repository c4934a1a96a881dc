// Typed, strict access to the members of a JSON request object. Every failure is an
// APIError 400 naming the field and the rule it broke. An explicit `null` counts as
// "not given" (clients often send None for optional settings).
struct FieldReader {
    let object: JSONObject

    // Parses a request body that must be a JSON object whose keys are all in `allowed`.
    init(body: [UInt8], allowed: [String]) throws {
        guard !body.isEmpty else { throw APIError.invalid(nil, "request body is empty; expected a JSON object") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch let error as JSONParseError {
            throw APIError.invalid(nil, error.description)
        }
        try self.init(value: value, param: nil, allowed: allowed)
    }

    init(value: JSONValue, param: String?, allowed: [String]) throws {
        guard case .object(let object) = value else {
            throw APIError.invalid(param, "\(param ?? "request body") must be a JSON object, got \(value.typeName)")
        }
        for key in object.keys where !allowed.contains(key) {
            let name = param.map { "\($0).\(key)" } ?? key
            throw APIError.invalid(name, "unknown field \"\(name)\"; allowed fields: \(allowed.joined(separator: ", "))")
        }
        self.object = object
        self.prefix = param.map { $0 + "." } ?? ""
    }

    private let prefix: String

    func has(_ key: String) -> Bool { value(key) != nil }

    func value(_ key: String) -> JSONValue? {
        guard let v = object[key], v != .null else { return nil }
        return v
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let v = value(key) else { return nil }
        return try FieldReader.int(v, param: prefix + key, in: range)
    }

    func double(_ key: String, in range: ClosedRange<Double>, lowerExclusive: Bool = false) throws -> Double? {
        guard let v = value(key) else { return nil }
        return try FieldReader.double(v, param: prefix + key, in: range, lowerExclusive: lowerExclusive)
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else {
            throw APIError.invalid(prefix + key, "\(prefix + key) must be a boolean, got \(v.typeName)")
        }
        return b
    }

    func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        return try FieldReader.string(v, param: prefix + key)
    }

    static func string(_ v: JSONValue, param: String) throws -> String {
        guard case .string(let s) = v else {
            throw APIError.invalid(param, "\(param) must be a string, got \(v.typeName)")
        }
        return s
    }

    static func int(_ v: JSONValue, param: String, in range: ClosedRange<Int>) throws -> Int {
        guard case .number(let n) = v, n.isInteger else {
            throw APIError.invalid(param, "\(param) must be an integer, got \(v.typeName)")
        }
        guard let wide = n.int64Value, let value = Int(exactly: wide), range.contains(value) else {
            throw APIError.invalid(param, "\(param) must be between \(range.lowerBound) and \(range.upperBound), got \(n.literal)")
        }
        return value
    }

    static func double(_ v: JSONValue, param: String, in range: ClosedRange<Double>, lowerExclusive: Bool) throws -> Double {
        guard case .number(let n) = v else {
            throw APIError.invalid(param, "\(param) must be a number, got \(v.typeName)")
        }
        let x = n.doubleValue
        let aboveLower = lowerExclusive ? x > range.lowerBound : x >= range.lowerBound
        guard aboveLower, x <= range.upperBound else {
            let lower = lowerExclusive ? "greater than \(short(range.lowerBound))" : "at least \(short(range.lowerBound))"
            throw APIError.invalid(param, "\(param) must be \(lower) and at most \(short(range.upperBound)), got \(n.literal)")
        }
        return x
    }

    // "2" rather than "2.0" in messages about limits.
    private static func short(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }
}
