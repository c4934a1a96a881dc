/// The transition function: one byte applied to one stack, appending every successor stack.
/// A finished value is popped; its parent frame was already set to what follows it.
extension CompiledSchema {
    /// Bounds anyOf chains that consume nothing (e.g. a definition that only refers to itself).
    static let maxExpansionDepth = 32

    func feed(_ stack: [Frame], _ byte: UInt8, into out: inout [[Frame]]) {
        var s = stack
        guard let top = s.popLast() else { return }
        if ByteClass.isWhitespace(byte) && top.takesWhitespace {
            if Int(top.a) < maxWhitespace { out.append(s + [top.with(a: top.a + 1)]) }
            return
        }
        switch top.kind {
        case .end: return
        case .value: startValue(s, Int(top.rule), byte, into: &out, depth: 0)
        case .objectOpen, .objectComma, .key, .freeKey, .colon, .objectNext:
            feedObject(s, top, byte, into: &out)
        case .arrayOpen, .arrayNext: feedArray(s, top, byte, into: &out)
        case .string: feedString(s, top, byte, into: &out)
        case .literal:
            guard case .literal(let bytes) = rules[Int(top.rule)], bytes[Int(top.a)] == byte else { return }
            out.append(Int(top.a) + 1 == bytes.count ? s : s + [top.with(a: top.a + 1)])
        case .number:
            let state = NumberState(rawValue: top.m) ?? .start
            if let (next, digits) = state.next(byte, digits: top.a, integerOnly: isInteger(Int(top.rule))) {
                out.append(s + [Frame(.number, Int(top.rule), a: digits, m: next.rawValue)])
            } else if state.isAccepting {
                feed(s, byte, into: &out)  // the number ended; the byte is the parent's
            }
        }
    }

    /// The first byte of a value of `rule` (whitespace was handled by the caller).
    func startValue(_ s: [Frame], _ rule: Int, _ byte: UInt8, into out: inout [[Frame]], depth: Int) {
        switch rules[rule] {
        case .anyOf(let alternatives):
            guard depth < Self.maxExpansionDepth else { return }
            for alt in alternatives { startValue(s, alt, byte, into: &out, depth: depth + 1) }
        case .object:
            if byte == UInt8(ascii: "{") { out.append(s + [Frame(.objectOpen, rule)]) }
        case .array:
            if byte == UInt8(ascii: "[") { out.append(s + [Frame(.arrayOpen, rule)]) }
        case .string:
            if byte == ByteClass.quote { out.append(s + [Frame(.string, rule)]) }
        case .integer, .number:
            if let (next, digits) = NumberState.start.next(byte, digits: 0, integerOnly: isInteger(rule)) {
                out.append(s + [Frame(.number, rule, a: digits, m: next.rawValue)])
            }
        case .literal(let bytes):
            guard bytes.first == byte else { return }
            out.append(bytes.count == 1 ? s : s + [Frame(.literal, rule, a: 1)])
        }
    }

    func isInteger(_ rule: Int) -> Bool {
        if case .integer = rules[rule] { return true }
        return false
    }

    /// Strings with a length bound count characters; unbounded ones do not (so their state
    /// does not change on plain bytes).
    func countsCharacters(_ rule: Int) -> Bool {
        guard case let .string(minLength, maxLength) = rules[rule] else { return false }
        return minLength > 0 || maxLength != Int.max
    }

    func feedString(_ s: [Frame], _ top: Frame, _ byte: UInt8, into out: inout [[Frame]]) {
        guard case let .string(minLength, maxLength) = rules[Int(top.rule)] else { return }
        var state = StringState(packed: top.m)
        var count = Int(top.b)
        switch state.feed(byte) {
        case .reject: return
        case .close:
            if count >= minLength { out.append(s) }
            return
        case .character:
            if countsCharacters(Int(top.rule)) {
                guard count < maxLength else { return }
                count += 1
            }
        case .same: break
        }
        out.append(s + [Frame(.string, Int(top.rule), b: Int32(count), m: state.packed)])
    }
}

extension Frame {
    /// Frames that sit between two JSON tokens, where whitespace may come.
    var takesWhitespace: Bool {
        switch kind {
        case .value, .objectOpen, .objectComma, .colon, .objectNext, .arrayOpen, .arrayNext: return true
        default: return false
        }
    }

    func with(a: Int32) -> Frame {
        var f = self
        f.a = a
        return f
    }
}
