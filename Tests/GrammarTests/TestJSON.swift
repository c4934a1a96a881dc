import Grammar

/// A small strict JSON parser (RFC 8259) for the tests, written apart from the grammar so
/// that checking generated text does not reuse the code that generated it.
struct TestJSON {
    struct Failure: Error { let message: String }
    private let bytes: [UInt8]
    private var i = 0

    static func parse(_ text: [UInt8]) throws -> SchemaValue {
        var p = TestJSON(bytes: text)
        let v = try p.value()
        p.skipSpace()
        guard p.i == p.bytes.count else { throw Failure(message: "trailing bytes at \(p.i)") }
        return v
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
    }

    private mutating func value() throws -> SchemaValue {
        skipSpace()
        guard i < bytes.count else { throw Failure(message: "unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(key: String, value: SchemaValue)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipSpace()
                guard case .string(let key) = try value() else { throw Failure(message: "key must be a string") }
                skipSpace()
                try expect(":")
                members.append((key, try value()))
                skipSpace()
                if try endOr(",", "}") { return .object(members) }
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [SchemaValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value())
                skipSpace()
                if try endOr(",", "]") { return .array(items) }
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try word("true"); return .bool(true)
        case UInt8(ascii: "f"): try word("false"); return .bool(false)
        case UInt8(ascii: "n"): try word("null"); return .null
        default: return try number()
        }
    }

    private mutating func expect(_ c: Unicode.Scalar) throws {
        guard i < bytes.count, bytes[i] == UInt8(ascii: c) else { throw Failure(message: "expected \(c) at \(i)") }
        i += 1
    }

    private mutating func endOr(_ separator: Unicode.Scalar, _ close: Unicode.Scalar) throws -> Bool {
        guard i < bytes.count else { throw Failure(message: "unexpected end") }
        if bytes[i] == UInt8(ascii: close) { i += 1; return true }
        try expect(separator)
        return false
    }

    private mutating func word(_ w: String) throws {
        for c in w.unicodeScalars { try expect(c) }
    }

    private mutating func number() throws -> SchemaValue {
        let start = i
        var integer = true
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1 }
        guard i > intStart, !(bytes[intStart] == 0x30 && i - intStart > 1) else { throw Failure(message: "bad number at \(start)") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            integer = false
            i += 1
            let f = i
            while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1 }
            guard i > f else { throw Failure(message: "bad fraction at \(start)") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            integer = false
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            let e = i
            while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1 }
            guard i > e else { throw Failure(message: "bad exponent at \(start)") }
        }
        return .number(literal: String(decoding: bytes[start..<i], as: UTF8.self), isInteger: integer)
    }

    private mutating func string() throws -> String {
        try expect("\"")
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() throws {
            guard let s = String(validating: raw, as: UTF8.self) else { throw Failure(message: "invalid UTF-8") }
            scalars.append(contentsOf: s.unicodeScalars)
            raw.removeAll()
        }
        while true {
            guard i < bytes.count else { throw Failure(message: "unterminated string") }
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: "\"") { try flush(); return String(scalars) }
            guard b >= 0x20 else { throw Failure(message: "control character in string") }
            if b != UInt8(ascii: "\\") { raw.append(b); continue }
            try flush()
            guard i < bytes.count else { throw Failure(message: "unterminated escape") }
            let e = bytes[i]
            i += 1
            let simple: [UInt8: Unicode.Scalar] = [0x22: "\"", 0x5C: "\\", 0x2F: "/", 0x62: "\u{8}", 0x66: "\u{C}",
                                                   0x6E: "\n", 0x72: "\r", 0x74: "\t"]
            if let s = simple[e] { scalars.append(s); continue }
            guard e == UInt8(ascii: "u"), i + 4 <= bytes.count,
                  let code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16),
                  let scalar = Unicode.Scalar(code) else { throw Failure(message: "bad escape") }
            i += 4
            scalars.append(scalar)
        }
    }
}
