import Foundation

extension SchemaCompiler {
    /// Keywords that may stand beside $ref / anyOf: annotations and the definitions table.
    private func checkAlone(_ schema: SchemaValue, keyword: String, at path: String) throws {
        guard case .object(let members) = schema else { return }
        for (key, _) in members where key != keyword && !Self.annotations.contains(key) {
            throw GrammarError.unsupportedKeyword("\(key) (beside \(keyword))", at: path)
        }
    }

    mutating func compileAnyOf(_ alternatives: SchemaValue, _ schema: SchemaValue, at path: String) throws -> Int {
        try checkAlone(schema, keyword: "anyOf", at: path)
        guard case .array(let list) = alternatives, !list.isEmpty else {
            throw GrammarError.invalidSchema("anyOf must be a non-empty array", at: path + "/anyOf")
        }
        let compiled = try list.enumerated().map { try compile($1, at: "\(path)/anyOf/\($0)") }
        return compiled.count == 1 ? compiled[0] : add(.anyOf(compiled))
    }

    /// `$ref` to the root or to a root-level definition. The rule index is reserved before the
    /// target compiles, so a recursive definition refers to itself.
    mutating func compileRef(_ ref: SchemaValue, _ schema: SchemaValue, at path: String) throws -> Int {
        try checkAlone(schema, keyword: "$ref", at: path)
        guard case .string(let pointer) = ref else {
            throw GrammarError.invalidSchema("$ref must be a string", at: path + "/$ref")
        }
        if let known = refs[pointer] { return known }
        let target = try resolve(pointer, at: path)
        let slot = add(.anyOf([]))
        refs[pointer] = slot
        rules[slot] = .anyOf([try compile(target, at: pointer)])
        return slot
    }

    private func resolve(_ pointer: String, at path: String) throws -> SchemaValue {
        if pointer == "#" { return root }
        for table in ["$defs", "definitions"] where pointer.hasPrefix("#/\(table)/") {
            // RFC 6901: "~1" is "/", "~0" is "~".
            let name = String(pointer.dropFirst(table.count + 3))
                .replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let target = root[table]?[name] { return target }
        }
        throw GrammarError.invalidSchema("$ref \"\(pointer)\" does not name a root-level $defs entry", at: path + "/$ref")
    }

    /// enum / const: each allowed value as its compact JSON text, filtered by `type` if given.
    mutating func literals(_ values: [SchemaValue], _ schema: SchemaValue, at path: String, keyword: String) throws -> Int {
        var allowed = values
        if schema["type"] != nil {
            let types = try typeNamesForFilter(schema, at: path)
            allowed = values.filter { v in types.contains(v.typeName) || (v.typeName == "integer" && types.contains("number")) }
        }
        guard !allowed.isEmpty else {
            throw GrammarError.invalidSchema("no \(keyword) value has the schema's type", at: path + "/" + keyword)
        }
        let ids = allowed.map { add(.literal($0.jsonBytes)) }
        return ids.count == 1 ? ids[0] : add(.anyOf(ids))
    }

    private func typeNamesForFilter(_ schema: SchemaValue, at path: String) throws -> [String] {
        switch schema["type"] {
        case .string(let t)?: return [t]
        case .array(let list)?: return list.compactMap { if case .string(let t) = $0 { return t } else { return nil } }
        default: throw GrammarError.invalidSchema("type must be a string or an array", at: path + "/type")
        }
    }
}
