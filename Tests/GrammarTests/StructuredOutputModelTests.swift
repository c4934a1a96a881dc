import Foundation
import GGUF
import Generation
import Llama
import Sampling
import Tokenization
import XCTest
@testable import Grammar

/// Structured output on the real model (SmolLM2, KVSERVE_MODEL): seeded samples at
/// temperature 1 all parse and validate, checked here and by python-jsonschema.
final class StructuredOutputModelTests: XCTestCase {
    static let schema: SchemaValue = [
        "type": "object",
        "properties": [
            "name": ["type": "string", "maxLength": 20],
            "age": ["type": "integer"],
            "role": ["enum": ["admin", "user", "guest"]],
            "tags": ["type": "array", "items": ["type": "string", "maxLength": 10], "maxItems": 3],
            "address": [
                "type": "object",
                "properties": ["city": ["type": "string", "maxLength": 20],
                               "zip": ["anyOf": [["type": "integer"], ["type": "null"]]]],
                "required": ["city", "zip"], "additionalProperties": false,
            ],
            "score": ["anyOf": [["type": "number"], ["type": "boolean"]]],
        ],
        "required": ["name", "age", "role", "address"],
        "additionalProperties": false,
    ]

    static let prompt = GenerationRequest.Input.messages([
        ChatMessage(role: "user", content: "Describe a fictional person as JSON with name, age, role, tags and address."),
    ])

    func testSeededSamplesAllValidate() throws {
        let engine = try ModelEngine.make()
        defer { engine.shutdown(deadline: 0) }
        let compiled = try CompiledSchema.compile(Self.schema)
        let requests = (0..<50).map { seed -> GenerationRequest in
            var r = GenerationRequest(input: Self.prompt, sampling: SamplingParams(temperature: 1.0, seed: UInt64(seed)),
                                      maxTokens: 300)
            r.constraint = compiled
            return r
        }
        let results = try ModelEngine.runAll(engine, requests)
        var outputs: [String] = []
        for (i, result) in results.enumerated() {
            XCTAssertEqual(result.finishReason, .stop, "sample \(i) did not finish: \(result.text)")
            let value = try TestJSON.parse(Array(result.text.utf8))
            XCTAssertNil(TestValidator(root: Self.schema).violation(value), "sample \(i): \(result.text)")
            outputs.append(result.text)
        }
        XCTAssertGreaterThan(Set(outputs).count, 25, "temperature 1 gives varied documents")
        try Self.checkWithPython(schema: Self.schema, outputs: outputs)
    }

    func testJSONObjectGreedyEndsWhenTheObjectCloses() throws {
        let engine = try ModelEngine.make()
        defer { engine.shutdown(deadline: 0) }
        let question = "Reply with a JSON object with two keys, name and age, for a cat."
        var r = GenerationRequest(input: .messages([ChatMessage(role: "user", content: question)]),
                                  sampling: .greedy, maxTokens: 120)
        r.constraint = CompiledSchema.anyObject()
        let result = try ModelEngine.runAll(engine, [r])[0]
        XCTAssertEqual(result.finishReason, .stop, result.text)
        XCTAssertEqual(result.text.first, "{")
        XCTAssertNoThrow(try TestJSON.parse(Array(result.text.utf8)), result.text)
        try Self.checkWithPython(schema: ["type": "object"], outputs: [result.text])
    }

    func testTightBudgetEndsWithLength() throws {
        let engine = try ModelEngine.make()
        defer { engine.shutdown(deadline: 0) }
        var r = GenerationRequest(input: Self.prompt, sampling: .greedy, maxTokens: 4)
        r.constraint = try CompiledSchema.compile(Self.schema)
        let result = try ModelEngine.runAll(engine, [r])[0]
        XCTAssertEqual(result.finishReason, .length)
        XCTAssertNotNil(JSONMatcher(schema: r.constraint!).fed(Array(result.text.utf8)), "a valid prefix: \(result.text)")
    }

    /// The trie walk over the real vocabulary equals checking every token.
    func testTrieOnTheRealVocabulary() throws {
        let tokenizer = try ModelEngine.loaded().tokenizer
        let bytes: [[UInt8]?] = (0..<Int32(tokenizer.vocabSize)).map {
            tokenizer.tokenType($0) == .control ? nil : tokenizer.tokenBytes($0)
        }
        let trie = TokenTrie(tokenBytes: bytes, endOfGeneration: [])
        let compiled = try CompiledSchema.compile(Self.schema)
        for prefix in ["", "{", "{\"name\": \"Ada", "{\"name\":\"Ada\",\"age\":4", "{\"name\":\"\",\"age\":1,\"role\":\"us"] {
            let state = try XCTUnwrap(JSONMatcher(schema: compiled).fed(Array(prefix.utf8)))
            let expected = bytes.indices.filter { bytes[$0].map { !$0.isEmpty && state.fed($0) != nil } ?? false }
            XCTAssertEqual(trie.allowedTokens(state).sorted(), expected.map(Int32.init), "after \(prefix)")
        }
    }

    static func checkWithPython(schema: SchemaValue, outputs: [String],
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let outputsJSON = SchemaValue.array(outputs.map { .string($0) })
        let document: SchemaValue = ["schema": schema, "outputs": outputsJSON]
        let path = NSTemporaryDirectory() + "kvserve-structured-\(UUID().uuidString).json"
        try Data(document.jsonBytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/structured/validate_outputs.py").path
        let process = Process()
        // The python3 on PATH (the reference validator is python-jsonschema, installed there).
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "python-jsonschema: \(output)", file: file, line: line)
        XCTAssertTrue(output.contains("\(outputs.count) of \(outputs.count) valid"), output, file: file, line: line)
    }
}

/// The default model (KVSERVE_MODEL), loaded once; fails, never skips, when absent.
enum ModelEngine {
    struct Loaded: @unchecked Sendable {
        let model: LlamaModel
        let tokenizer: Tokenizer
        let template: ChatTemplate
    }

    private static let shared: Result<Loaded, Error> = Result {
        let path = ProcessInfo.processInfo.environment["KVSERVE_MODEL"]
            ?? NSHomeDirectory() + "/.cache/kvserve/SmolLM2-135M-Instruct.Q4_1.gguf"
        guard FileManager.default.fileExists(atPath: path) else {
            throw GenerationError.internalError("model not found at \(path): run scripts/fetch-model.sh")
        }
        let file = try GGUFFile(path: path)
        return Loaded(model: try LlamaModel(file: file, threads: 2), tokenizer: try Tokenizer(gguf: file),
                      template: try ChatTemplate(gguf: file))
    }

    static func loaded() throws -> Loaded { try shared.get() }

    static func make() throws -> Engine {
        let l = try loaded()
        let config = Engine.EngineConfig(queueSize: 64, modelName: "smollm2", log: { _ in })
        return try Engine(model: l.model, tokenizer: l.tokenizer, template: l.template, config: config)
    }

    /// Submits all requests at once (they decode together) and waits for every result.
    static func runAll(_ engine: Engine, _ requests: [GenerationRequest]) throws -> [GenerationResult] {
        let group = DispatchGroup()
        let box = ResultBox(count: requests.count)
        for (i, request) in requests.enumerated() {
            group.enter()
            _ = try engine.submit(request) { event in
                switch event {
                case .token: break
                case .finished(let r): box.set(i, .success(r)); group.leave()
                case .failed(let e): box.set(i, .failure(e)); group.leave()
                }
            }
        }
        guard group.wait(timeout: .now() + 600) == .success else {
            throw GenerationError.internalError("timed out waiting for the engine")
        }
        return try box.all().map { try $0.get() }
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<GenerationResult, GenerationError>?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<GenerationResult, GenerationError>) { lock.lock(); results[i] = r; lock.unlock() }
    func all() throws -> [Result<GenerationResult, GenerationError>] {
        lock.lock()
        defer { lock.unlock() }
        return try results.map { guard let r = $0 else { throw GenerationError.internalError("no result") }; return r }
    }
}
