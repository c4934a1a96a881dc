import XCTest
@testable import API
@testable import Generation
@testable import Grammar

/// `json_schema` on /generate and the OpenAI `response_format` / Responses `text.format`
/// spellings: compiled once, carried to the engine, bad schemas are 400s naming the keyword.
final class StructuredOutputTests: XCTestCase {
    private func decode(_ json: String) throws -> GenerateBody {
        try GenerateBody.decode(Array(json.utf8), contextLength: 8192, isValidSessionID: { _ in true })
    }

    private func value(_ json: String) throws -> JSONValue { try JSONParser.parse(Array(json.utf8)) }

    private func assert400(_ body: @autoclosure () throws -> Any, param: String, _ fragment: String, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            guard let api = error as? APIError else { return XCTFail("\(error)", line: line) }
            XCTAssertEqual(api.status, 400, line: line)
            XCTAssertEqual(api.param, param, line: line)
            XCTAssertTrue(api.message.contains(fragment), api.message, line: line)
        }
    }

    func testGenerateCarriesTheCompiledSchema() throws {
        let g = try decode(#"{"prompt": "hi", "json_schema": {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}}"#)
        let constraint = try XCTUnwrap(g.generationRequest.constraint)
        XCTAssertNotNil(JSONMatcher(schema: constraint).fed(Array(#"{"a":1}"#.utf8)).map(\.isComplete))
        XCTAssertNil(JSONMatcher(schema: constraint).fed(Array(#"{"b""#.utf8)))
        XCTAssertNil(try decode(#"{"prompt": "hi"}"#).generationRequest.constraint)
    }

    func testGenerateRejectsBadSchemas() {
        assert400(try decode(#"{"prompt": "hi", "json_schema": {"type": "string", "pattern": "x"}}"#),
                  param: "json_schema", "unsupported JSON Schema keyword \"pattern\" at #")
        assert400(try decode(#"{"prompt": "hi", "json_schema": "object"}"#), param: "json_schema", "must be a JSON Schema object")
        assert400(try decode(#"{"prompt": "hi", "json_schema": {"enum": []}}"#), param: "json_schema", "enum must be a non-empty array")
    }

    func testResponseFormat() throws {
        XCTAssertNil(try StructuredOutput.responseFormat(value(#"{"type": "text"}"#)))
        let object = try XCTUnwrap(StructuredOutput.responseFormat(value(#"{"type": "json_object"}"#)))
        XCTAssertNil(object.schema)
        XCTAssertNil(JSONMatcher(schema: object.compiled).fed(Array("[".utf8)), "json_object means an object")
        let schema = try XCTUnwrap(StructuredOutput.responseFormat(value(
            #"{"type": "json_schema", "json_schema": {"name": "n", "strict": true, "schema": {"type": "boolean"}}}"#)))
        XCTAssertNotNil(JSONMatcher(schema: schema.compiled).fed(Array("true".utf8)))
        assert400(try StructuredOutput.responseFormat(value(#"{"type": "json_schema"}"#)),
                  param: "response_format.json_schema", "is required")
        assert400(try StructuredOutput.responseFormat(value(#"{"type": "json_schema", "json_schema": {"name": "n"}}"#)),
                  param: "response_format.json_schema.schema", "is required")
        assert400(try StructuredOutput.responseFormat(value(#"{"type": "yaml"}"#)), param: "response_format.type", "got \"yaml\"")
        assert400(try StructuredOutput.responseFormat(value(
            #"{"type": "json_schema", "json_schema": {"schema": {"type": "object", "properties": {"x": {"allOf": []}}}}}"#)),
                  param: "response_format.json_schema.schema", "\"allOf\" at #/properties/x")
    }

    func testResponsesTextFormat() throws {
        let f = try XCTUnwrap(StructuredOutput.textFormat(value(
            #"{"type": "json_schema", "name": "n", "strict": true, "schema": {"enum": [1, 2]}}"#)))
        XCTAssertNotNil(JSONMatcher(schema: f.compiled).fed(Array("2".utf8)))
        XCTAssertNil(JSONMatcher(schema: f.compiled).fed(Array("3".utf8)))
        XCTAssertNil(try StructuredOutput.textFormat(value(#"{"type": "text"}"#)))
        assert400(try StructuredOutput.textFormat(value(#"{"type": "json_schema"}"#)), param: "text.format.schema", "is required")
    }
}
