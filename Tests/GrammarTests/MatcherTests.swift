import XCTest
@testable import Grammar

/// The automaton fed byte by byte: valid documents are accepted at every prefix and complete
/// at the end; each violation is refused at the first byte that makes it one.
final class MatcherTests: XCTestCase {
    /// Index of the first refused byte; `doc.utf8.count` if all were taken but the document is
    /// unfinished; nil if accepted.
    static func firstRefused(_ schema: CompiledSchema, _ doc: String) -> Int? {
        var state = JSONMatcher(schema: schema)
        for (i, b) in doc.utf8.enumerated() {
            guard let next = state.fed(b) else { return i }
            state = next
        }
        return state.isComplete ? nil : doc.utf8.count
    }

    private func check(_ schema: SchemaValue, accepts: [String], refuses: [(String, Int)],
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let compiled = try CompiledSchema.compile(schema)
        for doc in accepts {
            XCTAssertNil(Self.firstRefused(compiled, doc), "should accept \(doc)", file: file, line: line)
            XCTAssertNil(TestValidator(root: schema).violation(try TestJSON.parse(Array(doc.utf8))),
                         "test data: \(doc) must be valid", file: file, line: line)
        }
        for (doc, at) in refuses {
            XCTAssertEqual(Self.firstRefused(compiled, doc), at, "should refuse \(doc) at byte \(at)", file: file, line: line)
        }
    }

    static let person: SchemaValue = [
        "type": "object",
        "properties": [
            "name": ["type": "string"],
            "age": ["type": "integer"],
            "tags": ["type": "array", "items": ["enum": ["a", "b"]]],
            "address": ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"],
                        "additionalProperties": false],
        ],
        "required": ["name", "age"],
        "additionalProperties": false,
    ]

    func testObjectPropertiesInOrderRequiredAndOptional() throws {
        try check(Self.person, accepts: [
            #"{"name":"Bo","age":3}"#,
            #"{"name": "Bo", "age": -12, "tags": ["a","b"]}"#,
            #"{"name":"","age":0,"address":{"city":"Oslo"}}"#,
            "{\n  \"name\": \"x\",\n  \"age\": 1,\n  \"tags\": []\n}",
        ], refuses: [
            (#"{"name":"Bo"}"#, 12),                  // age is required: "}" refused
            (#"{"age":3,"name":"x"}"#, 2),            // declared order: name first
            (#"{"name":"x","age":1,"zip":1}"#, 21),   // no extra keys
            (#"{"name":"x","age":"1"}"#, 18),         // type
            (#"{"name":"x","age":1.5}"#, 19),         // integer: no fraction
            (#"{"name":"x","age":01}"#, 19),          // no leading zero
            (#"{"name":"x","age":1,}"#, 20),          // no trailing comma
            (#"{"name":"x","age":1,"tags":["c"]}"#, 29), // enum
            (#"{"name":"x","age":1,"address":{}}"#, 31),  // nested required
            (#"{"name":"x","age":1} "#, 20),          // nothing after the document
            (#" {"name":"x","age":1}"#, 0),           // nor before it
        ])
    }

    func testAdditionalPropertiesAsSchema() throws {
        let map: SchemaValue = ["type": "object", "additionalProperties": ["type": "integer"]]
        try check(map, accepts: [#"{}"#, #"{"a":1,"b c":-2}"#], refuses: [(#"{"a":"x"}"#, 5)])
        let mixed: SchemaValue = ["type": "object", "properties": ["x": ["type": "integer"]],
                                  "additionalProperties": ["type": "string"]]
        try check(mixed, accepts: [#"{"x":1,"y":"s"}"#, #"{"xy":"s"}"#, #"{"y":"s","z":""}"#], refuses: [
            (#"{"x":1,"x":2}"#, 9),   // a declared name is not an extra key
            (#"{"y":"s","x":1}"#, 11), // declared properties come first
        ])
    }

    func testArraysWithBounds() throws {
        let schema: SchemaValue = ["type": "array", "items": ["type": "boolean"], "minItems": 1, "maxItems": 2]
        try check(schema, accepts: ["[true]", "[true, false]", "[ false ]"],
                  refuses: [("[]", 1), ("[true,false,true]", 11), ("[tru]", 4), ("[true", 5)])
    }

    func testEnumConstAndAnyOf() throws {
        try check(["enum": ["red", "green", 1, nil]], accepts: [#""red""#, #""green""#, "1", "null"],
                  refuses: [(#""blue""#, 1), ("2", 0), ("12", 1)])
        try check(["const": ["a": [1, 2]]], accepts: [#"{"a":[1,2]}"#], refuses: [(#"{"a":[1,3]}"#, 8)])
        try check(["anyOf": [["type": "integer"], ["type": "null"], ["type": "object", "properties": ["k": ["type": "string"]]]]],
                  accepts: ["-7", "null", #"{"k":"v"}"#, "{}"], refuses: [("nul", 3), ("true", 0), (#"{"j":1}"#, 2)])
        try check(["type": ["string", "null"]], accepts: [#""s""#, "null"], refuses: [("0", 0)])
        try check(["type": "string", "enum": ["x", 1]], accepts: [#""x""#], refuses: [("1", 0)])
    }

    func testNumbers() throws {
        try check(["type": "number"], accepts: ["0", "-0", "1.5", "-0.25e+10", "3E2", "10"],
                  refuses: [("1.", 2), (".5", 0), ("+1", 0), ("01", 1), ("1e", 2), ("--1", 1), ("1.5.", 3)])
        let long = String(repeating: "9", count: 16)
        XCTAssertEqual(Self.firstRefused(try CompiledSchema.compile(["type": "integer"]), long), 15, "digits are capped")
    }

    func testStrings() throws {
        try check(["type": "string"], accepts: [#""a\n\"\\\/\u00e9\uD7FF""#, "\"é中😀\""],
                  refuses: [("\"a\nb\"", 2), (#""\x""#, 2), (#""\ud800""#, 4), (#""\u12g4""#, 5)])
        let compiled = try CompiledSchema.compile(["type": "string"])
        XCTAssertNil(JSONMatcher(schema: compiled).fed([0x22, 0xC0]), "overlong UTF-8 lead")
        XCTAssertNil(JSONMatcher(schema: compiled).fed([0x22, 0xED, 0xA0]), "UTF-8 surrogate")
        XCTAssertNil(JSONMatcher(schema: compiled).fed([0x22, 0xE4, 0x22]), "unfinished UTF-8 sequence")
        try check(["type": "string", "minLength": 2, "maxLength": 3], accepts: [#""ab""#, "\"é中😀\"", #""\n\tx""#],
                  refuses: [(#""a""#, 2), (#""abcd""#, 4)])
    }

    func testWhitespaceIsBounded() throws {
        let compiled = try CompiledSchema.compile(["type": "array"])
        let most = String(repeating: " ", count: SchemaCompiler.defaultMaxWhitespace)
        XCTAssertNil(Self.firstRefused(compiled, "[\(most)1]"))
        XCTAssertEqual(Self.firstRefused(compiled, "[\(most) 1]"), 1 + most.count)
    }

    func testRecursiveReferences() throws {
        let tree: SchemaValue = [
            "$defs": ["node": ["type": "object", "properties": [
                "v": ["type": "integer"], "kids": ["type": "array", "items": ["$ref": "#/$defs/node"]]],
                "required": ["v"], "additionalProperties": false]],
            "$ref": "#/$defs/node",
        ]
        try check(tree, accepts: [#"{"v":1}"#, #"{"v":1,"kids":[{"v":2,"kids":[{"v":3}]},{"v":4}]}"#],
                  refuses: [(#"{"v":1,"kids":[{}]}"#, 16)])
        let list: SchemaValue = ["anyOf": [["type": "null"], ["type": "array", "items": ["$ref": "#"]]]]
        try check(list, accepts: ["null", "[[],[null,[null]]]"], refuses: [("[1]", 1)])
    }

    func testAnyObjectAndCompletion() throws {
        let any = CompiledSchema.anyObject()
        XCTAssertNil(Self.firstRefused(any, #"{"a":[1,{"b":null}],"c":"d","e":-1.5e3}"#))
        XCTAssertEqual(Self.firstRefused(any, "[1]"), 0)
        XCTAssertEqual(Self.firstRefused(any, "\"s\""), 0)
        let done = try XCTUnwrap(JSONMatcher(schema: any).fed(Array("{}".utf8)))
        XCTAssertTrue(done.isComplete && done.mustEnd)
        let number = try XCTUnwrap(JSONMatcher(schema: try CompiledSchema.compile(["type": "integer"])).fed(Array("12".utf8)))
        XCTAssertTrue(number.isComplete)
        XCTAssertFalse(number.mustEnd, "a number may go on")
    }
}
