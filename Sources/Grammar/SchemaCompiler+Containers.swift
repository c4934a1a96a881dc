extension SchemaCompiler {
    /// Properties in declared order. A missing additionalProperties generates no extra keys when
    /// properties are declared (always valid, and what OpenAI strict mode requires anyway), and
    /// any members when none are.
    mutating func compileObject(_ schema: SchemaValue, at path: String) throws -> Int {
        var rule = CompiledSchema.ObjectRule()
        var names: [String] = []
        switch schema["properties"] {
        case .object(let members)?:
            for (name, sub) in members {
                names.append(name)
                rule.keys.append(SchemaValue.quoted(name))
                rule.values.append(try compile(sub, at: "\(path)/properties/\(name)"))
            }
        case nil: break
        case let other?:
            throw GrammarError.invalidSchema("properties must be an object, got \(other.typeName)", at: path + "/properties")
        }
        rule.required = Array(repeating: false, count: names.count)
        for name in try requiredNames(schema, at: path) {
            guard let i = names.firstIndex(of: name) else {
                throw GrammarError.invalidSchema("required property \"\(name)\" is not in properties", at: path + "/required")
            }
            rule.required[i] = true
        }
        switch schema["additionalProperties"] {
        case .bool(false)?: rule.additional = nil
        case nil: rule.additional = names.isEmpty ? anyValue() : nil
        case let sub?: rule.additional = try compile(sub, at: path + "/additionalProperties")
        }
        if rule.additional != nil && names.count > Self.maxFreeKeyProperties {
            throw GrammarError.unsupportedKeyword(
                "additionalProperties with more than \(Self.maxFreeKeyProperties) properties", at: path)
        }
        return add(.object(rule))
    }

    private func requiredNames(_ schema: SchemaValue, at path: String) throws -> [String] {
        guard let v = schema["required"] else { return [] }
        guard case .array(let list) = v else {
            throw GrammarError.invalidSchema("required must be an array of strings", at: path + "/required")
        }
        return try list.map { item in
            guard case .string(let s) = item else {
                throw GrammarError.invalidSchema("required must be an array of strings", at: path + "/required")
            }
            return s
        }
    }

    mutating func compileArray(_ schema: SchemaValue, at path: String) throws -> Int {
        let item: Int
        switch schema["items"] {
        case nil: item = anyValue()
        case .array?: throw GrammarError.unsupportedKeyword("items as an array (tuple validation)", at: path + "/items")
        case let sub?: item = try compile(sub, at: path + "/items")
        }
        let (minItems, maxItems) = try bounds(schema, "minItems", "maxItems", at: path)
        return add(.array(item: item, minItems: minItems, maxItems: maxItems))
    }
}
