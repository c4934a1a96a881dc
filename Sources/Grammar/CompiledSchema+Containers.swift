/// Objects and arrays. Declared properties come in schema order; optional ones may be skipped;
/// extra keys (only when additionalProperties is a schema) come after every declared one.
extension CompiledSchema {
    func feedObject(_ s: [Frame], _ top: Frame, _ byte: UInt8, into out: inout [[Frame]]) {
        guard case .object(let object) = rules[Int(top.rule)] else { return }
        let rule = Int(top.rule)
        switch top.kind {
        case .objectOpen, .objectComma:
            let next = top.kind == .objectOpen ? 0 : Int(top.b)
            if byte == UInt8(ascii: "}") && top.kind == .objectOpen && object.canClose(from: 0) { out.append(s) }
            guard byte == ByteClass.quote else { return }
            for i in next..<object.keys.count {
                out.append(s + [Frame(.key, rule, a: 1, b: Int32(i))])
                if object.required[i] { return }
            }
            if object.additional != nil {
                let all: UInt64 = object.keys.count >= 64 ? ~0 : (1 << UInt64(object.keys.count)) - 1
                out.append(s + [Frame(.freeKey, rule, m: all)])
            }
        case .key:
            let key = object.keys[Int(top.b)]
            guard key[Int(top.a)] == byte else { return }
            out.append(s + [Int(top.a) + 1 == key.count ? Frame(.colon, rule, b: top.b) : top.with(a: top.a + 1)])
        case .freeKey:
            feedFreeKey(s, top, object, byte, into: &out)
        case .colon:
            guard byte == UInt8(ascii: ":") else { return }
            let property = Int(top.b)
            let value = property >= 0 ? object.values[property] : object.additional ?? 0
            let next = property >= 0 ? property + 1 : object.keys.count
            out.append(s + [Frame(.objectNext, rule, b: Int32(next)), Frame(.value, value)])
        case .objectNext:
            let next = Int(top.b)
            if byte == UInt8(ascii: ","), next < object.keys.count || object.additional != nil {
                out.append(s + [Frame(.objectComma, rule, b: top.b)])
            } else if byte == UInt8(ascii: "}") && object.canClose(from: next) {
                out.append(s)
            }
        default: return
        }
    }

    /// An extra key: printable ASCII without escapes (so comparing bytes is comparing names), at
    /// most 64 bytes, never equal to a declared name. `m` keeps the declared keys it still prefixes.
    private func feedFreeKey(_ s: [Frame], _ top: Frame, _ object: ObjectRule, _ byte: UInt8,
                             into out: inout [[Frame]]) {
        let length = Int(top.a)
        if byte == ByteClass.quote {
            for i in object.keys.indices where top.m & (1 << UInt64(i)) != 0 && object.keys[i].count - 2 == length {
                return
            }
            out.append(s + [Frame(.colon, Int(top.rule), b: -1)])
            return
        }
        guard ByteClass.isPlainStringByte(byte), byte < 0x7F, length < 64 else { return }
        var mask: UInt64 = 0
        for i in object.keys.indices where top.m & (1 << UInt64(i)) != 0 {
            let key = object.keys[i]
            if key.count - 2 > length && key[length + 1] == byte { mask |= 1 << UInt64(i) }
        }
        out.append(s + [Frame(.freeKey, Int(top.rule), a: top.a + 1, m: mask)])
    }

    func feedArray(_ s: [Frame], _ top: Frame, _ byte: UInt8, into out: inout [[Frame]]) {
        guard case let .array(item, minItems, maxItems) = rules[Int(top.rule)] else { return }
        let rule = Int(top.rule)
        if top.kind == .arrayOpen {
            if byte == UInt8(ascii: "]") {
                if minItems == 0 { out.append(s) }
            } else if maxItems >= 1 {
                startValue(s + [Frame(.arrayNext, rule, b: 1)], item, byte, into: &out, depth: 0)
            }
            return
        }
        let count = Int(top.b)
        if byte == UInt8(ascii: ","), count < maxItems {
            out.append(s + [Frame(.arrayNext, rule, b: Int32(count + 1)), Frame(.value, item)])
        } else if byte == UInt8(ascii: "]") && count >= minItems {
            out.append(s)
        }
    }
}

extension CompiledSchema.ObjectRule {
    /// "}" may come once no required property is left from `next` on.
    func canClose(from next: Int) -> Bool {
        next >= required.count || !required[next...].contains(true)
    }
}
