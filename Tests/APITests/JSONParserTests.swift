import XCTest
@testable import API

final class JSONParserTests: XCTestCase {
    private func parse(_ s: String) throws -> JSONValue { try JSONParser.parse(Array(s.utf8)) }

    private func assertRejects(_ s: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(s), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(fragment), "\(s): \(text)", file: file, line: line)
        }
    }

    func testParsesEveryKindAndKeepsKeyOrder() throws {
        let v = try parse(#" { "b" : [true, false, null, -0, 12, 1.5e3, "x"], "a": {} } "#)
        guard case .object(let o) = v else { return XCTFail("not an object") }
        XCTAssertEqual(o.keys, ["b", "a"])
        XCTAssertEqual(o["b"], .array([.bool(true), .bool(false), .null,
                                      .number(JSONNumber(literal: "-0", isInteger: true, doubleValue: 0)),
                                      .int(12),
                                      .number(JSONNumber(literal: "1.5e3", isInteger: false, doubleValue: 1500)),
                                      .string("x")]))
    }

    func testIntegerIsTellsLiteralForms() throws {
        for (s, isInt) in [("5", true), ("5.0", false), ("5e0", false), ("-7", true), ("1E2", false)] {
            guard case .number(let n) = try parse(s) else { return XCTFail(s) }
            XCTAssertEqual(n.isInteger, isInt, s)
        }
        guard case .number(let big) = try parse("18446744073709551615") else { return XCTFail() }
        XCTAssertNil(big.int64Value, "past Int64 there is no exact Int64")
        XCTAssertEqual(UInt64(big.literal), UInt64.max, "the literal keeps every digit")
    }

    func testStringEscapesAndSurrogatePairs() throws {
        XCTAssertEqual(try parse(#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#), .string("a\"\\/\u{8}\u{c}\n\r\té😀"))
        XCTAssertEqual(try parse("\"héllo 😀\""), .string("héllo 😀"), "raw UTF-8 passes through")
    }

    func testRejectsMalformedDocuments() {
        assertRejects("", "unexpected end")
        assertRejects("[1,]", "unexpected character")
        assertRejects("{\"a\":1,}", "expected a string key")
        assertRejects("{\"a\" 1}", "expected ':'")
        assertRejects("01", "unexpected data after")
        assertRejects("1.", "digit after '.'")
        assertRejects("-", "expected a digit")
        assertRejects("1e", "exponent")
        assertRejects("+1", "unexpected character")
        assertRejects("NaN", "unexpected character")
        assertRejects("1e999", "out of range")
        assertRejects("tru", "expected 'true'")
        assertRejects("{} {}", "unexpected data after")
        assertRejects("\"abc", "unterminated string")
        assertRejects("\"a\tb\"", "control character")
        assertRejects(#""\x""#, "invalid escape")
        assertRejects(#""\u12G4""#, "hex digit")
        assertRejects(#""\ud800""#, "high surrogate")
        assertRejects(#""\udc00""#, "lone low surrogate")
        assertRejects("{\"a\":1,\"a\":2}", "duplicate key \"a\"")
        assertRejects("\u{FEFF}{}", "unexpected character")
    }

    func testRejectsInvalidUTF8() {
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xC3, 0x28, 0x22])) { error in
            XCTAssertTrue("\(error)".contains("UTF-8"))
        }
    }

    func testNestingIsBounded() throws {
        let ok = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        XCTAssertNoThrow(try parse(ok))
        // Far past the limit: must fail cleanly, not overflow the stack.
        assertRejects(String(repeating: "[", count: 100_000), "nesting deeper than")
    }

    func testManyKeysParseInLinearTime() throws {
        // 50,000 distinct keys: a quadratic duplicate check would take minutes here.
        let body = "{" + (0..<50_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        let start = Date()
        guard case .object(let o) = try parse(body) else { return XCTFail() }
        XCTAssertEqual(o.members.count, 50_000)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, "generous bound for a loaded machine")
    }

    func testWriterEscapesAndRoundTrips() throws {
        let value = JSONValue.object(JSONObject([
            ("text", .string("q\"b\\n\n\t\u{1}é😀")),
            ("n", .int(-3)), ("x", .double(0.25)), ("inf", .double(.infinity)),
            ("list", .array([.bool(true), .null])),
        ]))
        let text = JSONWriter.string(value)
        XCTAssertEqual(text, #"{"text":"q\"b\\n\n\t\u0001é😀","n":-3,"x":0.25,"inf":0.0,"list":[true,null]}"#)
        XCTAssertEqual(try parse(text), JSONValue.object(JSONObject([
            ("text", .string("q\"b\\n\n\t\u{1}é😀")),
            ("n", .int(-3)), ("x", .number(JSONNumber(literal: "0.25", isInteger: false, doubleValue: 0.25))),
            ("inf", .number(JSONNumber(literal: "0.0", isInteger: false, doubleValue: 0))),
            ("list", .array([.bool(true), .null])),
        ])))
        // An independent parser agrees on the text.
        let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        XCTAssertEqual(foundation?["text"] as? String, "q\"b\\n\n\t\u{1}é😀")
    }

    func testTokenIDArrayIsWrittenWithoutATree() throws {
        let ids: [Int32] = [0, 7, 10, 49151, -1, Int32.max, Int32.min, 100_000]
        var out = Array("x".utf8)
        JSONWriter.writeArray(ids, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "x[0,7,10,49151,-1,2147483647,-2147483648,100000]")
        // An independent parser reads the same numbers back.
        let parsed = try JSONSerialization.jsonObject(with: Data(out.dropFirst())) as? [Int]
        XCTAssertEqual(parsed, ids.map(Int.init))
        var empty: [UInt8] = []
        JSONWriter.writeArray([], into: &empty)
        XCTAssertEqual(String(decoding: empty, as: UTF8.self), "[]")
    }
}
