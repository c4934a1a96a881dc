import XCTest
@testable import Grammar

/// Schemas the grammar cannot enforce are refused with the keyword and where it is.
final class CompilerTests: XCTestCase {
    private func assertError(_ schema: SchemaValue, _ expected: GrammarError, line: UInt = #line) {
        XCTAssertThrowsError(try CompiledSchema.compile(schema), line: line) { error in
            XCTAssertEqual(error as? GrammarError, expected, line: line)
        }
    }

    func testUnsupportedKeywordsAreNamed() {
        assertError(["type": "string", "pattern": "^a"], .unsupportedKeyword("pattern", at: "#"))
        assertError(["type": "object", "properties": ["n": ["type": "integer", "minimum": 0]]],
                    .unsupportedKeyword("minimum", at: "#/properties/n"))
        assertError(["allOf": [["type": "string"]]], .unsupportedKeyword("allOf", at: "#"))
        assertError(["oneOf": [["type": "string"]]], .unsupportedKeyword("oneOf", at: "#"))
        assertError(["type": "array", "items": [["type": "string"]]],
                    .unsupportedKeyword("items as an array (tuple validation)", at: "#/items"))
        assertError(["anyOf": [["type": "string"]], "type": "string"], .unsupportedKeyword("type (beside anyOf)", at: "#"))
    }

    func testMalformedSchemas() {
        assertError(["enum": []], .invalidSchema("enum must be a non-empty array", at: "#/enum"))
        assertError(["type": "strin"], .invalidSchema("unknown type \"strin\"", at: "#/type"))
        assertError(["$ref": "#/$defs/missing"],
                    .invalidSchema("$ref \"#/$defs/missing\" does not name a root-level $defs entry", at: "#/$ref"))
        assertError(["type": "object", "properties": ["a": true], "required": ["b"]],
                    .invalidSchema("required property \"b\" is not in properties", at: "#/required"))
        assertError(false, .invalidSchema("the schema false matches nothing", at: "#"))
        assertError(["type": "array", "minItems": 3, "maxItems": 2], .invalidSchema("minItems is greater than maxItems", at: "#"))
        assertError("x", .invalidSchema("a schema must be an object or a boolean, got string", at: "#"))
    }

    func testAnnotationsAreIgnored() throws {
        let schema: SchemaValue = ["$schema": "https://json-schema.org/draft/2020-12/schema", "title": "t",
                                   "description": "d", "type": "string", "format": "date-time", "default": "x"]
        XCTAssertNil(MatcherTests.firstRefused(try CompiledSchema.compile(schema), #""2024""#))
    }

    func testSelfReferenceWithoutProgressTerminates() throws {
        let loop: SchemaValue = ["$defs": ["a": ["$ref": "#/$defs/a"]], "$ref": "#/$defs/a"]
        XCTAssertEqual(MatcherTests.firstRefused(try CompiledSchema.compile(loop), "1"), 0)
    }
}
