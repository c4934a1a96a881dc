import XCTest
@testable import API
import Generation
import Tokenization

// Validation of /v1 bodies without the model: OpenAI field names, ignored extras, 400s
// naming the field.
final class OpenAIBodyTests: XCTestCase {
    private func chat(_ json: String, owner: Owner = Owner(suffix: "")) throws -> OpenAIBody {
        try OpenAIBody.decode(Array(json.utf8), legacy: false, contextLength: 8192, owner: owner)
    }

    private func assertRejected(_ json: String, param: String?, legacy: Bool = false,
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try OpenAIBody.decode(Array(json.utf8), legacy: legacy, contextLength: 8192,
                                                   owner: Owner(suffix: "")), json, file: file, line: line) { error in
            guard let api = error as? APIError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(api.status, 400, file: file, line: line)
            XCTAssertEqual(api.param, param, "\(json): \(api.message)", file: file, line: line)
        }
    }

    func testChatBodyWithEveryField() throws {
        let b = try chat(#"""
            {"model": "anything", "messages": [{"role": "developer", "content": "Be brief."},
              {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]}],
             "max_completion_tokens": 9, "temperature": 0.2, "top_p": 0.5, "n": 3, "stop": "x", "seed": -1,
             "presence_penalty": 0.5, "frequency_penalty": -0.5, "logit_bias": {"42": -100},
             "logprobs": true, "top_logprobs": 2, "stream": true, "stream_options": {"include_usage": true},
             "user": "u1", "top_k": 5, "min_p": 0.1, "repeat_penalty": 1.1, "ignore_eos": true,
             "session_id": "s1", "parallel_tool_calls": false, "metadata": {}}
            """#, owner: Owner(suffix: "-kabc"))
        guard case .messages(let messages) = b.request.input else { return XCTFail("not messages") }
        XCTAssertEqual(messages, [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi there")])
        XCTAssertEqual(b.request.maxTokens, 9)
        XCTAssertEqual(b.request.n, 3)
        XCTAssertEqual(b.request.stop, ["x"])
        XCTAssertEqual(b.request.sampling.seed, UInt64.max)
        XCTAssertEqual(b.request.sampling.temperature, 0.2)
        XCTAssertEqual(b.request.sampling.topK, 5)
        XCTAssertEqual(b.request.sampling.presencePenalty, 0.5)
        XCTAssertEqual(b.request.sampling.frequencyPenalty, -0.5)
        XCTAssertEqual(b.request.sampling.logitBias, [42: -100])
        XCTAssertEqual(b.request.topLogprobs, 2)
        XCTAssertTrue(b.stream && b.includeUsage && b.logprobs && b.request.ignoreEOS)
        XCTAssertEqual(b.request.sessionID, "s1-kabc")
        XCTAssertEqual(b.sessionID, "s1")
        XCTAssertEqual(b.ignored, ["parallel_tool_calls", "metadata"])
    }

    func testDefaultsAndMaxTokensAlias() throws {
        let b = try chat(#"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 4}"#)
        XCTAssertEqual(b.request.maxTokens, 4)
        XCTAssertEqual(b.request.n, 1)
        XCTAssertNil(b.request.topLogprobs)
        XCTAssertEqual(try chat(#"{"messages": [{"role": "user", "content": "hi"}]}"#).request.maxTokens,
                       OpenAIBody.defaultMaxTokens)
    }

    func testWrongTypesAndValuesNameTheField() {
        let user = #""messages": [{"role": "user", "content": "hi"}]"#
        assertRejected("{}", param: "messages")
        assertRejected(#"{"messages": "hi"}"#, param: "messages")
        assertRejected(#"{"messages": [{"role": "robot", "content": "x"}]}"#, param: "messages[0].role")
        assertRejected(#"{"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}"#, param: "messages[0].content[0]")
        assertRejected(#"{"messages": [{"role": "user"}]}"#, param: "messages[0].content")
        assertRejected("{\(user), \"max_tokens\": \"5\"}", param: "max_tokens")
        assertRejected("{\(user), \"max_tokens\": 0}", param: "max_tokens")
        assertRejected("{\(user), \"temperature\": 3}", param: "temperature")
        assertRejected("{\(user), \"n\": 0}", param: "n")
        assertRejected("{\(user), \"stop\": 5}", param: "stop")
        assertRejected("{\(user), \"presence_penalty\": 2.5}", param: "presence_penalty")
        assertRejected("{\(user), \"logit_bias\": {\"x\": 1}}", param: "logit_bias")
        assertRejected("{\(user), \"logit_bias\": {\"5\": 200}}", param: "logit_bias.5")
        assertRejected("{\(user), \"top_logprobs\": 3}", param: "top_logprobs")
        assertRejected("{\(user), \"logprobs\": true, \"top_logprobs\": 21}", param: "top_logprobs")
        assertRejected("{\(user), \"stream\": \"yes\"}", param: "stream")
        assertRejected("{\(user), \"stream_options\": {\"include_usage\": 1}}", param: "stream_options.include_usage")
        assertRejected("{\(user), \"tools\": [{\"type\": \"function\"}]}", param: "tools[0]")
        assertRejected("{\(user), \"tool_choice\": 3}", param: "tool_choice")
        assertRejected("{\(user), \"model\": 3}", param: "model")
        assertRejected("{\(user), \"session_id\": \"../x\"}", param: "session_id")
        assertRejected(#"{"prompt": ""}"#, param: "prompt", legacy: true)
        assertRejected(#"{"prompt": {"a": 1}}"#, param: "prompt", legacy: true)
        assertRejected(#"{"prompt": "hi", "logprobs": 6}"#, param: "logprobs", legacy: true)
        assertRejected("[1]", param: nil)
        assertRejected("{", param: nil)
    }

    func testToolsAndToolMessagesReachTheRequest() throws {
        let b = try chat(#"""
            {"messages": [{"role": "user", "content": "weather?"},
              {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
              {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}],
             "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]}
            """#)
        guard case .messages(let m) = b.request.input else { return XCTFail("not messages") }
        XCTAssertEqual(m[1].toolCalls, [ChatToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris"}"#)])
        XCTAssertEqual(m[2].toolCallID, "call_1")
        XCTAssertEqual(b.request.tools, [#"{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}"#])
        XCTAssertTrue(b.toolsActive)
        let none = try chat(#"{"messages": [{"role": "user", "content": "x"}], "tool_choice": "none", "tools": [{"type": "function", "function": {"name": "f"}}]}"#)
        XCTAssertFalse(none.toolsActive)
    }

    func testCompletionsPromptForms() throws {
        func prompt(_ json: String) throws -> GenerationRequest.Input {
            try OpenAIBody.decode(Array(json.utf8), legacy: true, contextLength: 8192, owner: Owner(suffix: "")).request.input
        }
        guard case .text("a b") = try prompt(#"{"prompt": "a b"}"#) else { return XCTFail() }
        guard case .text("c") = try prompt(#"{"prompt": ["c"]}"#) else { return XCTFail() }
        guard case .tokens([1, 2]) = try prompt(#"{"prompt": [1, 2]}"#) else { return XCTFail() }
        let b = try OpenAIBody.decode(Array(#"{"prompt": "x", "logprobs": 2}"#.utf8), legacy: true, contextLength: 8192,
                                      owner: Owner(suffix: ""))
        XCTAssertEqual(b.request.maxTokens, OpenAIBody.defaultCompletionMaxTokens)
        XCTAssertEqual(b.request.topLogprobs, 2)
    }

    func testResponsesBody() throws {
        let b = try ResponsesBody.decode(Array(#"""
            {"model": "m", "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
             "instructions": "Be brief.", "previous_response_id": "resp_1", "store": false, "max_output_tokens": 5,
             "text": {"format": {"type": "text"}}, "reasoning": {}}
            """#.utf8), contextLength: 8192)
        XCTAssertEqual(b.messages, [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "hi")])
        XCTAssertEqual(b.previousID, "resp_1")
        XCTAssertFalse(b.store)
        XCTAssertEqual(b.maxOutputTokens, 5)
        XCTAssertEqual(b.ignored, ["reasoning"])
        for (json, param) in [(#"{}"#, "input"), (#"{"input": 3}"#, "input"), (#"{"input": ""}"#, "input"),
                              (#"{"input": [{"type": "function_call_output"}]}"#, "input[0].type"),
                              (#"{"input": "x", "store": "no"}"#, "store"),
                              (#"{"input": "x", "max_output_tokens": 0}"#, "max_output_tokens")] {
            XCTAssertThrowsError(try ResponsesBody.decode(Array(json.utf8), contextLength: 8192), json) {
                XCTAssertEqual(($0 as? APIError)?.param, param, json)
            }
        }
    }

    func testOllamaOptions() throws {
        let (r, stream) = try OllamaBody.decode(Array(#"""
            {"model": "x", "messages": [{"role": "user", "content": "hi"}],
             "options": {"temperature": 0, "num_predict": 7, "seed": 3, "stop": ["\n"], "top_k": 2, "num_ctx": 4096}}
            """#.utf8), chat: true, contextLength: 8192, log: { _ in })
        XCTAssertTrue(stream)
        XCTAssertEqual(r.maxTokens, 7)
        XCTAssertEqual(r.sampling.temperature, 0)
        XCTAssertEqual(r.sampling.seed, 3)
        XCTAssertEqual(r.sampling.topK, 2)
        XCTAssertEqual(r.stop, ["\n"])
        XCTAssertThrowsError(try OllamaBody.decode(Array(#"{"prompt": "hi", "options": {"temperature": "hot"}}"#.utf8),
                                                   chat: false, contextLength: 8192, log: { _ in })) {
            XCTAssertEqual(($0 as? APIError)?.param, "temperature")
        }
    }
}
