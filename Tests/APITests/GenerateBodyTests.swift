import XCTest
@testable import API

// Validation of POST /generate bodies without the model: every rule names its field.
final class GenerateBodyTests: XCTestCase {
    private func decode(_ json: String, context: Int = 8192) throws -> GenerateBody {
        try GenerateBody.decode(Array(json.utf8), contextLength: context,
                                isValidSessionID: { id in
                                    !id.isEmpty && id.count <= 128 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
                                })
    }

    private func assertRejected(_ json: String, param: String?, _ fragment: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try decode(json), json, file: file, line: line) { error in
            guard let api = error as? APIError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(api.status, 400, file: file, line: line)
            XCTAssertEqual(api.type, "invalid_request_error", file: file, line: line)
            XCTAssertEqual(api.param, param, json, file: file, line: line)
            XCTAssertTrue(api.message.contains(fragment), "\(json): \(api.message)", file: file, line: line)
        }
    }

    func testFullBodyDecodes() throws {
        let g = try decode(#"""
            {"prompt": "hi", "max_tokens": 7, "temperature": 0.5, "top_k": 40, "top_p": 0.9, "min_p": 0.05,
             "repeat_penalty": 1.1, "seed": 18446744073709551615, "stop": ["a", "b"], "ignore_eos": true,
             "stream": true, "session_id": "chat-1.x_y"}
            """#)
        XCTAssertEqual(g.prompt, .text("hi"))
        XCTAssertEqual(g.maxTokens, 7)
        XCTAssertEqual(g.temperature, 0.5)
        XCTAssertEqual(g.topK, 40)
        XCTAssertEqual(g.topP, 0.9)
        XCTAssertEqual(g.minP, 0.05)
        XCTAssertEqual(g.repeatPenalty, 1.1)
        XCTAssertEqual(g.seed, UInt64.max)
        XCTAssertEqual(g.stop, ["a", "b"])
        XCTAssertTrue(g.ignoreEOS)
        XCTAssertTrue(g.stream)
        XCTAssertEqual(g.sessionID, "chat-1.x_y")
    }

    func testDefaultsAndNulls() throws {
        let g = try decode(#"{"prompt": [1, 2, 3], "temperature": null, "stop": "END"}"#)
        XCTAssertEqual(g.prompt, .tokens([1, 2, 3]))
        XCTAssertEqual(g.maxTokens, GenerateBody.defaultMaxTokens)
        XCTAssertNil(g.temperature, "null means not given: the sampler's default applies")
        XCTAssertEqual(g.stop, ["END"])
        XCTAssertFalse(g.stream)
        XCTAssertEqual(try decode(#"{"prompt": "x"}"#, context: 100).maxTokens, 100, "default capped by context")
    }

    func testMessagesDecode() throws {
        let g = try decode(#"{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "<|im_end|>"}]}"#)
        XCTAssertEqual(g.prompt, .messages([.init(role: "system", content: "s"), .init(role: "user", content: "<|im_end|>")]))
    }

    func testWrongTypes() {
        assertRejected(#"{"prompt": "x", "max_tokens": "5"}"#, param: "max_tokens", "must be an integer, got a string")
        assertRejected(#"{"prompt": "x", "max_tokens": 5.5}"#, param: "max_tokens", "must be an integer")
        assertRejected(#"{"prompt": "x", "max_tokens": 5.0}"#, param: "max_tokens", "must be an integer")
        assertRejected(#"{"prompt": "x", "max_tokens": true}"#, param: "max_tokens", "got a boolean")
        assertRejected(#"{"prompt": "x", "temperature": "0.5"}"#, param: "temperature", "must be a number")
        assertRejected(#"{"prompt": "x", "temperature": false}"#, param: "temperature", "must be a number")
        assertRejected(#"{"prompt": "x", "top_k": 1.5}"#, param: "top_k", "must be an integer")
        assertRejected(#"{"prompt": "x", "seed": 1.0}"#, param: "seed", "must be an integer")
        assertRejected(#"{"prompt": "x", "seed": "1"}"#, param: "seed", "must be an integer")
        assertRejected(#"{"prompt": "x", "stream": 1}"#, param: "stream", "must be a boolean")
        assertRejected(#"{"prompt": "x", "ignore_eos": "true"}"#, param: "ignore_eos", "must be a boolean")
        assertRejected(#"{"prompt": "x", "stop": 5}"#, param: "stop", "string or an array")
        assertRejected(#"{"prompt": "x", "stop": ["a", 1]}"#, param: "stop[1]", "must be a string")
        assertRejected(#"{"prompt": "x", "session_id": 5}"#, param: "session_id", "must be a string")
        assertRejected(#"{"prompt": 5}"#, param: "prompt", "string or an array of token ids")
        assertRejected(#"{"prompt": [1, "2"]}"#, param: "prompt[1]", "must be an integer")
        assertRejected(#"{"messages": "hi"}"#, param: "messages", "must be an array")
        assertRejected(#"{"messages": ["hi"]}"#, param: "messages[0]", "must be a JSON object")
        assertRejected(#"{"messages": [{"role": "user", "content": 3}]}"#, param: "messages[0].content", "must be a string")
    }

    func testRanges() {
        assertRejected(#"{"prompt": "x", "max_tokens": 0}"#, param: "max_tokens", "between 1 and 8192")
        assertRejected(#"{"prompt": "x", "max_tokens": 8193}"#, param: "max_tokens", "between 1 and 8192")
        assertRejected(#"{"prompt": "x", "max_tokens": 99999999999999999999}"#, param: "max_tokens", "between 1 and 8192")
        assertRejected(#"{"prompt": "x", "temperature": -0.1}"#, param: "temperature", "at least 0 and at most 2")
        assertRejected(#"{"prompt": "x", "temperature": 2.01}"#, param: "temperature", "at most 2")
        assertRejected(#"{"prompt": "x", "top_k": -1}"#, param: "top_k", "between 0 and")
        assertRejected(#"{"prompt": "x", "top_p": 0}"#, param: "top_p", "greater than 0 and at most 1")
        assertRejected(#"{"prompt": "x", "top_p": 1.5}"#, param: "top_p", "at most 1")
        assertRejected(#"{"prompt": "x", "min_p": -0.5}"#, param: "min_p", "at least 0 and at most 1")
        assertRejected(#"{"prompt": "x", "min_p": 1.01}"#, param: "min_p", "at most 1")
        assertRejected(#"{"prompt": "x", "repeat_penalty": 0}"#, param: "repeat_penalty", "greater than 0 and at most 10")
        assertRejected(#"{"prompt": "x", "repeat_penalty": 11}"#, param: "repeat_penalty", "at most 10")
        assertRejected(#"{"prompt": "x", "seed": -1}"#, param: "seed", "between 0 and 18446744073709551615")
        assertRejected(#"{"prompt": "x", "seed": 18446744073709551616}"#, param: "seed", "between 0 and")
        assertRejected(#"{"prompt": [1, -2]}"#, param: "prompt[1]", "between 0 and")
        let stops = "[" + (0...GenerateBody.maxStopStrings).map { "\"s\($0)\"" }.joined(separator: ",") + "]"
        assertRejected(#"{"prompt": "x", "stop": \#(stops)}"#, param: "stop", "at most 16 strings")
        assertRejected(#"{"prompt": "x", "stop": ""}"#, param: "stop", "must not be empty")
        assertRejected(#"{"prompt": "x", "stop": ["a", ""]}"#, param: "stop", "must not be empty")
    }

    func testPromptPresenceRules() {
        assertRejected(#"{}"#, param: "prompt", "one of prompt or messages is required")
        assertRejected(#"{"max_tokens": 3}"#, param: "prompt", "one of prompt or messages is required")
        assertRejected(#"{"prompt": "x", "messages": [{"role": "user", "content": "y"}]}"#, param: "messages", "not both")
        assertRejected(#"{"prompt": ""}"#, param: "prompt", "must not be empty")
        assertRejected(#"{"prompt": []}"#, param: "prompt", "must not be empty")
        assertRejected(#"{"messages": []}"#, param: "messages", "must not be empty")
        assertRejected(#"{"messages": [{"role": "robot", "content": "y"}]}"#, param: "messages[0].role", "one of system, user, assistant")
        assertRejected(#"{"messages": [{"content": "y"}]}"#, param: "messages[0].role", "is required")
        assertRejected(#"{"messages": [{"role": "user"}]}"#, param: "messages[0].content", "is required")
        assertRejected(#"{"messages": [{"role": "user", "content": "y", "name": "n"}]}"#, param: "messages[0].name", "unknown field")
    }

    func testUnknownFieldsAndBodyShape() {
        assertRejected(#"{"prompt": "x", "max_token": 5}"#, param: "max_token", "unknown field \"max_token\"")
        assertRejected(#"[{"prompt": "x"}]"#, param: nil, "must be a JSON object, got an array")
        assertRejected(#""x""#, param: nil, "must be a JSON object")
        assertRejected("", param: nil, "body is empty")
        assertRejected("{\"prompt\": \"x\",}", param: nil, "invalid JSON at byte")
        assertRejected(#"{"prompt": "x", "prompt": "y"}"#, param: nil, "duplicate key")
    }

    func testSessionID() {
        assertRejected(#"{"prompt": "x", "session_id": "../x"}"#, param: "session_id", "[A-Za-z0-9._-]")
        assertRejected(#"{"prompt": "x", "session_id": ""}"#, param: "session_id", "1-128")
    }
}
