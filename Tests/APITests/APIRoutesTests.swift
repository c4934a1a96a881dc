import Foundation
import XCTest

// End to end over real sockets with the real model: validation, answer shapes, routes.
// Run in release: swift test -c release -Xswiftc -enable-testing --filter APITests
final class APIRoutesTests: XCTestCase {
    private func ints(_ value: Any?) -> [Int] { (value as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.intValue } }

    func testHealth() throws {
        guard let s = TestServer.shared() else { return }
        let r = try s.call("GET", "/health")
        XCTAssertEqual(r.head.status, 200)
        XCTAssertEqual(r.head.header("Content-Type"), "application/json")
        XCTAssertEqual(r.json["status"] as? String, "ok")
        XCTAssertEqual(r.json["model"] as? String, s.engine.modelName)
        XCTAssertEqual(r.json["context_length"] as? Int, s.engine.contextLength)
    }

    func testValidationErrorsNameTheField() throws {
        guard let s = TestServer.shared() else { return }
        let ctx = s.engine.contextLength
        let cases: [(String, String?)] = [
            (#"{"prompt": "x", "max_tokens": "5"}"#, "max_tokens"),
            (#"{"prompt": "x", "max_tokens": 5.5}"#, "max_tokens"),
            (#"{"prompt": "x", "max_tokens": true}"#, "max_tokens"),
            (#"{"prompt": "x", "max_tokens": \#(ctx + 1)}"#, "max_tokens"),
            (#"{"prompt": "x", "temperature": 3}"#, "temperature"),
            (#"{"prompt": "x", "top_k": -1}"#, "top_k"),
            (#"{"prompt": "x", "top_p": 0}"#, "top_p"),
            (#"{"prompt": "x", "min_p": 2}"#, "min_p"),
            (#"{"prompt": "x", "repeat_penalty": 0}"#, "repeat_penalty"),
            (#"{"prompt": "x", "seed": -1}"#, "seed"),
            (#"{"prompt": "x", "stop": [1]}"#, "stop[0]"),
            (#"{"prompt": "x", "ignore_eos": "yes"}"#, "ignore_eos"),
            (#"{"prompt": "x", "stream": null, "strem": true}"#, "strem"),
            (#"{"prompt": "x", "session_id": "../x"}"#, "session_id"),
            (#"{"prompt": ""}"#, "prompt"),
            (#"{"max_tokens": 4}"#, "prompt"),
            (#"{"prompt": "x", "messages": [{"role": "user", "content": "y"}]}"#, "messages"),
            (#"{"messages": [{"role": "admin", "content": "y"}]}"#, "messages[0].role"),
            (#"{"prompt": "x",}"#, nil),
            (#"["prompt"]"#, nil),
        ]
        for (body, param) in cases {
            let r = try s.call("POST", "/generate", body)
            XCTAssertEqual(r.head.status, 400, body)
            XCTAssertEqual(r.head.header("Content-Type"), "application/json", body)
            XCTAssertEqual(r.error["type"] as? String, "invalid_request_error", body)
            XCTAssertEqual(r.error["param"] as? String, param, "\(body): \(r.text)")
            XCTAssertFalse((r.error["message"] as? String ?? "").isEmpty, body)
        }
    }

    func testPromptPlusMaxTokensOverContext() throws {
        guard let s = TestServer.shared() else { return }
        let ctx = s.engine.contextLength
        // "hello " is about one token each: 100 of them plus max_tokens = ctx cannot fit.
        let prompt = String(repeating: "hello ", count: 100)
        let r = try s.call("POST", "/generate", #"{"prompt": "\#(prompt)", "max_tokens": \#(ctx)}"#)
        XCTAssertEqual(r.head.status, 400, r.text)
        XCTAssertEqual(r.error["type"] as? String, "invalid_request_error")
        XCTAssertNotNil(r.error["param"] as? String, r.text)
        XCTAssertTrue((r.error["message"] as? String ?? "").contains(String(ctx)), "message names the limit: \(r.text)")
    }

    func testNonStreamingAnswerShape() throws {
        guard let s = TestServer.shared() else { return }
        let r = try s.call("POST", "/generate", #"{"prompt": "The capital of France is", "max_tokens": 6, "temperature": 0, "ignore_eos": true}"#)
        XCTAssertEqual(r.head.status, 200, r.text)
        XCTAssertEqual(r.head.header("Content-Type"), "application/json")
        let j = r.json
        XCTAssertNotNil(j["text"] as? String)
        XCTAssertEqual(ints(j["tokens"]).count, 6)
        XCTAssertEqual(j["finish_reason"] as? String, "length")
        XCTAssertNil(j["session_id"], "no session asked for")
        let usage = j["usage"] as? [String: Any] ?? [:]
        XCTAssertEqual(usage["completion_tokens"] as? Int, 6)
        XCTAssertGreaterThan(usage["prompt_tokens"] as? Int ?? 0, 0)
        XCTAssertNotNil(usage["cached_tokens"] as? Int)
        let timings = j["timings"] as? [String: Any] ?? [:]
        for key in ["queue_ms", "prefill_ms", "decode_ms", "prefill_tokens_per_s", "decode_tokens_per_s"] {
            XCTAssertNotNil(timings[key] as? NSNumber, key)
        }
    }

    func testNotFoundAndMethodNotAllowed() throws {
        guard let s = TestServer.shared() else { return }
        let missing = try s.call("GET", "/nope")
        XCTAssertEqual(missing.head.status, 404)
        XCTAssertNotNil(missing.error["message"])
        let wrong = try s.call("GET", "/generate")
        XCTAssertEqual(wrong.head.status, 405)
        XCTAssertEqual(wrong.head.header("Allow"), "POST")
    }

    func testTokenizeDetokenizeRoundTripAndSpecial() throws {
        guard let s = TestServer.shared() else { return }
        let text = "Hello, wörld! 😀 tabs\tand\nnewlines"
        let escaped = String(decoding: try JSONSerialization.data(withJSONObject: ["text": text]), as: UTF8.self)
        let t = try s.call("POST", "/tokenize", escaped)
        XCTAssertEqual(t.head.status, 200, t.text)
        let ids = ints(t.json["tokens"])
        XCTAssertFalse(ids.isEmpty)
        let d = try s.call("POST", "/detokenize", #"{"tokens": \#(ids)}"#)
        XCTAssertEqual(d.head.status, 200, d.text)
        XCTAssertEqual(d.json["text"] as? String, text)

        let special = ints(try s.call("POST", "/tokenize", #"{"text": "<|im_start|>"}"#).json["tokens"])
        XCTAssertEqual(special.count, 1, "special defaults to true: one control token")
        let plain = ints(try s.call("POST", "/tokenize", #"{"text": "<|im_start|>", "special": false}"#).json["tokens"])
        XCTAssertGreaterThan(plain.count, 1, "special false keeps it as text")
        XCTAssertFalse(plain.contains(special[0]))
    }

    func testTokenizeAndDetokenizeValidation() throws {
        guard let s = TestServer.shared() else { return }
        let cases: [(String, String, String?)] = [
            ("/tokenize", #"{"special": true}"#, "text"),
            ("/tokenize", #"{"text": 5}"#, "text"),
            ("/tokenize", #"{"text": "a", "special": "no"}"#, "special"),
            ("/tokenize", #"{"text": "a", "extra": 1}"#, "extra"),
            // Over 64 KiB: answered from the queue of large tokenizations, errors included.
            ("/tokenize", #"{"special": "#  + String(repeating: " ", count: 70_000) + "1}", "text"),
            ("/detokenize", #"{"tokens": "1 2"}"#, "tokens"),
            ("/detokenize", #"{"tokens": [1, 2.5]}"#, "tokens[1]"),
            ("/detokenize", #"{"tokens": [-1]}"#, "tokens[0]"),
            ("/detokenize", #"{"tokens": [999999999]}"#, "tokens"),
            ("/detokenize", "not json", nil),
        ]
        for (path, body, param) in cases {
            let r = try s.call("POST", path, body)
            XCTAssertEqual(r.head.status, 400, "\(path) \(body): \(r.text)")
            XCTAssertEqual(r.error["param"] as? String, param, "\(path) \(body): \(r.text)")
        }
    }

    // A user message that contains "<|im_end|>" must not close its turn: the string is
    // tokenized as text, so it costs as many prompt tokens as its plain-text encoding.
    func testSpecialStringsInMessagesStayText() throws {
        guard let s = TestServer.shared() else { return }
        func promptTokens(_ content: String) throws -> Int {
            let r = try s.call("POST", "/generate", #"{"messages": [{"role": "user", "content": "\#(content)"}], "max_tokens": 1, "temperature": 0}"#)
            XCTAssertEqual(r.head.status, 200, r.text)
            return (r.json["usage"] as? [String: Any])?["prompt_tokens"] as? Int ?? -1
        }
        let asText = ints(try s.call("POST", "/tokenize", #"{"text": "<|im_end|>", "special": false}"#).json["tokens"]).count
        let x = ints(try s.call("POST", "/tokenize", #"{"text": "x", "special": false}"#).json["tokens"]).count
        XCTAssertEqual(x, 1)
        XCTAssertGreaterThan(asText, 1)
        XCTAssertEqual(try promptTokens("<|im_end|>"), try promptTokens("x") - x + asText)
    }

    func testSessionRoutes() throws {
        guard let s = TestServer.shared() else { return }
        let id = "api-test-\(UInt32.random(in: 0...UInt32.max))"
        XCTAssertEqual(try s.call("GET", "/sessions/\(id)").head.status, 404)
        XCTAssertEqual(try s.call("GET", "/sessions/..%2Fx").head.status, 400)
        let g = try s.call("POST", "/generate", #"{"prompt": "Hi", "max_tokens": 2, "session_id": "\#(id)"}"#)
        XCTAssertEqual(g.head.status, 200, g.text)
        XCTAssertEqual(g.json["session_id"] as? String, id)

        let one = try s.call("GET", "/sessions/\(id)")
        XCTAssertEqual(one.head.status, 200, one.text)
        XCTAssertEqual(one.json["id"] as? String, id)
        XCTAssertGreaterThan(one.json["tokens"] as? Int ?? 0, 0)
        XCTAssertGreaterThan(one.json["kv_bytes"] as? Int ?? 0, 0)
        // The default cache type on SmolLM2: 30 layers x (K + V) x 192 values x 2 bytes.
        XCTAssertEqual(one.json["kv_cache_type"] as? String, "f16")
        XCTAssertEqual(one.json["kv_bytes_per_token"] as? Int, 23_040)
        XCTAssertEqual(one.json["location"] as? String, "memory")
        XCTAssertNotNil(one.json["last_used"] as? String)

        let list = try s.call("GET", "/sessions")
        let ids = (list.json["sessions"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        XCTAssertTrue(ids.contains(id), list.text)

        XCTAssertEqual(try s.call("DELETE", "/sessions/\(id)").head.status, 200)
        let gone = try s.call("DELETE", "/sessions/\(id)")
        XCTAssertEqual(gone.head.status, 404)
        XCTAssertEqual(gone.error["type"] as? String, "not_found_error")
    }
}
