import Grammar

/// A JSON Schema validator for the keywords the grammar supports, written from the
/// specification (2020-12 validation vocabulary) and independent of the grammar code.
/// Returns the first violation, or nil.
struct TestValidator {
    let root: SchemaValue

    func violation(_ value: SchemaValue) -> String? { check(value, root, "$") }

    private func get(_ schema: SchemaValue, _ key: String) -> SchemaValue? {
        guard case .object(let members) = schema else { return nil }
        return members.first { $0.key == key }?.value
    }

    private func check(_ v: SchemaValue, _ schema: SchemaValue, _ at: String) -> String? {
        if case .bool(let b) = schema { return b ? nil : "\(at): false schema" }
        if case .string(let ref)? = get(schema, "$ref") {
            if ref == "#" { return check(v, root, at) }
            let name = ref.split(separator: "/").last.map(String.init) ?? ""
            guard let target = get(root, "$defs").flatMap({ get($0, name) }) ?? get(root, "definitions").flatMap({ get($0, name) })
            else { return "\(at): unresolved \(ref)" }
            return check(v, target, at)
        }
        if case .array(let alts)? = get(schema, "anyOf"), !alts.contains(where: { check(v, $0, at) == nil }) {
            return "\(at): no anyOf alternative matches"
        }
        if let c = get(schema, "const"), !same(v, c) { return "\(at): not the const" }
        if case .array(let list)? = get(schema, "enum"), !list.contains(where: { same(v, $0) }) { return "\(at): not in enum" }
        if let t = get(schema, "type") {
            let names: [String]
            switch t {
            case .string(let s): names = [s]
            case .array(let l): names = l.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
            default: names = []
            }
            if !names.contains(where: { hasType(v, $0) }) { return "\(at): not of type \(names)" }
        }
        switch v {
        case .object(let members): return checkObject(members, schema, at)
        case .array(let items):
            if case .number(let n, _)? = get(schema, "minItems"), items.count < Int(n)! { return "\(at): too few items" }
            if case .number(let n, _)? = get(schema, "maxItems"), items.count > Int(n)! { return "\(at): too many items" }
            if let item = get(schema, "items") {
                for (i, x) in items.enumerated() { if let e = check(x, item, "\(at)[\(i)]") { return e } }
            }
        case .string(let s):
            if case .number(let n, _)? = get(schema, "minLength"), s.unicodeScalars.count < Int(n)! { return "\(at): too short" }
            if case .number(let n, _)? = get(schema, "maxLength"), s.unicodeScalars.count > Int(n)! { return "\(at): too long" }
        default: break
        }
        return nil
    }

    private func checkObject(_ members: [(key: String, value: SchemaValue)], _ schema: SchemaValue, _ at: String) -> String? {
        let properties: [(key: String, value: SchemaValue)]
        if case .object(let p)? = get(schema, "properties") { properties = p } else { properties = [] }
        if case .array(let req)? = get(schema, "required") {
            for case .string(let name) in req where !members.contains(where: { $0.key == name }) {
                return "\(at): missing \(name)"
            }
        }
        for (key, value) in members {
            if let sub = properties.first(where: { $0.key == key })?.value {
                if let e = check(value, sub, "\(at).\(key)") { return e }
            } else if let extra = get(schema, "additionalProperties") {
                if let e = check(value, extra, "\(at).\(key)") { return e }
            }
        }
        return nil
    }

    private func hasType(_ v: SchemaValue, _ t: String) -> Bool {
        switch (v, t) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"),
             (.number, "number"): return true
        case (.number(let literal, _), "integer"): return Double(literal).map { $0 == $0.rounded() } ?? false
        default: return false
        }
    }

    /// JSON equality: numbers by value, objects regardless of member order.
    private func same(_ a: SchemaValue, _ b: SchemaValue) -> Bool {
        switch (a, b) {
        case let (.number(x, _), .number(y, _)): return Double(x) == Double(y)
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case let (.object(x), .object(y)):
            return x.count == y.count && x.allSatisfy { m in y.contains { $0.key == m.key && same($0.value, m.value) } }
        default: return a == b
        }
    }
}
