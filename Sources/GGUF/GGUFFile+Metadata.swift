/// Typed metadata access. Missing keys throw `.missingKey(key)`; a value of another type
/// throws `.wrongType(key:expected:found:)`, so the caller's error names the key.
extension GGUFFile {
    public func value(_ key: String) throws -> GGUFValue {
        guard let v = metadata[key] else { throw GGUFError.missingKey(key) }
        return v
    }

    public func string(_ key: String) throws -> String { try typed(key, "string") { $0.stringValue } }

    /// Any integer type whose value fits in Int.
    public func int(_ key: String) throws -> Int { try typed(key, "integer") { $0.intValue } }

    /// float32 or float64.
    public func float(_ key: String) throws -> Float { try typed(key, "float") { $0.floatValue } }

    public func bool(_ key: String) throws -> Bool { try typed(key, "bool") { $0.boolValue } }

    private func typed<T>(_ key: String, _ expected: String, _ extract: (GGUFValue) -> T?) throws -> T {
        let v = try value(key)
        guard let t = extract(v) else { throw GGUFError.wrongType(key: key, expected: expected, found: v.typeName) }
        return t
    }

    public func stringArray(_ key: String) throws -> [String] {
        try array(key, expected: "array<string>") { $0.stringValue }
    }

    public func intArray(_ key: String) throws -> [Int] {
        try array(key, expected: "array<integer>") { $0.intValue }
    }

    public func floatArray(_ key: String) throws -> [Float] {
        try array(key, expected: "array<float>") { $0.floatValue }
    }

    public func optionalInt(_ key: String) -> Int? { metadata[key]?.intValue }
    public func optionalString(_ key: String) -> String? { metadata[key]?.stringValue }
    public func optionalFloat(_ key: String) -> Float? { metadata[key]?.floatValue }
    public func optionalBool(_ key: String) -> Bool? { metadata[key]?.boolValue }

    private func array<T>(_ key: String, expected: String, _ convert: (GGUFValue) -> T?) throws -> [T] {
        let v = try value(key)
        guard let items = v.arrayValue else { throw GGUFError.wrongType(key: key, expected: expected, found: v.typeName) }
        var out: [T] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let x = convert(item) else {
                throw GGUFError.wrongType(key: key, expected: expected, found: "array containing \(item.typeName)")
            }
            out.append(x)
        }
        return out
    }
}
