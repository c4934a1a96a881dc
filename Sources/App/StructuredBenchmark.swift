import Foundation
import Generation
import Grammar
import Llama
import Sampling
import Tokenization

/// Benchmark (not a test): decode time per token with a JSON-schema constraint and without,
/// same prompt and sampling, rounds alternating so machine noise hits both alike. Also the
/// one-off trie build and the cost of one allowed-set walk (paid only when a drawn token is
/// refused) at every position of a constrained output. `kvserve bench-structured`.
enum StructuredBenchmark {
    static let schema: SchemaValue = [
        "type": "object",
        "properties": [
            "name": ["type": "string", "maxLength": 24],
            "age": ["type": "integer"],
            "role": ["enum": ["admin", "user", "guest"]],
            "tags": ["type": "array", "items": ["type": "string", "maxLength": 12], "maxItems": 4],
            "address": ["type": "object", "properties": ["city": ["type": "string"], "zip": ["anyOf": [["type": "integer"], ["type": "null"]]]],
                        "required": ["city", "zip"], "additionalProperties": false],
        ],
        "required": ["name", "age", "role", "tags", "address"],
        "additionalProperties": false,
    ]

    static func run(model: LlamaModel, tokenizer: Tokenizer, template: ChatTemplate, rounds: Int = 3,
                           print: (String) -> Void = { Swift.print($0) }) throws {
        let engine = try Engine(model: model, tokenizer: tokenizer, template: template, config: .init(log: { _ in }))
        defer { engine.shutdown(deadline: 0) }
        let compiled = try CompiledSchema.compile(schema)
        let buildStart = MonotonicClock.nowMs()
        let trie = ConstraintVocabulary.trie(for: tokenizer)
        print(String(format: "token trie: %d tokens, %d nodes, built in %.1f ms (once per model)",
                     tokenizer.vocabSize, trie.nodeCount, MonotonicClock.nowMs() - buildStart))
        let question = "Describe a fictional person as JSON with name, age, role, tags and address."
        let prompt = GenerationRequest.Input.messages([ChatMessage(role: "user", content: question)])
        print("sampling     round  plain ms/token (tokens)  json_schema ms/token (tokens)  ratio")
        var lastConstrained: GenerationResult?
        for (name, sampling) in [("greedy", SamplingParams.greedy), ("temp 1.0", SamplingParams(temperature: 1, seed: 42))] {
            for round in 1...rounds {
                var constrained = GenerationRequest(input: prompt, sampling: sampling, maxTokens: 256)
                constrained.constraint = compiled
                let c = try engine.run(constrained)
                // The plain run decodes as many tokens as the constrained one produced.
                let plain = GenerationRequest(input: prompt, sampling: sampling, maxTokens: max(c.tokens.count, 1),
                                              ignoreEOS: true)
                let p = try engine.run(plain)
                let pm = p.timings.decodeMs / Double(max(p.tokens.count, 1))
                let cm = c.timings.decodeMs / Double(max(c.tokens.count, 1))
                print(String(format: "%-11@  %5d  %13.2f (%4d)  %19.2f (%4d)  %5.3f", name as NSString, round, pm,
                             p.tokens.count, cm, c.tokens.count, cm / pm))
                print("RESULT kvserve structured_ratio_\(name == "greedy" ? "greedy" : "temp1") \(round) \(String(format: "%.3f", cm / pm))")
                lastConstrained = c
            }
        }
        if let c = lastConstrained { walkCost(c, compiled, trie, tokenizer, print) }
        for sampling in [SamplingParams.greedy, SamplingParams(temperature: 1, seed: 42)] {
            try overhead(model: model, tokenizer: tokenizer, template: template, schema: compiled, question: question,
                         sampling: sampling, print: print)
        }
    }

    /// Time of the allowed-set walk at each position of `result`'s tokens (the per-token cost
    /// if every drawn token were refused).
    private static func walkCost(_ result: GenerationResult, _ schema: CompiledSchema, _ trie: TokenTrie,
                                 _ tokenizer: Tokenizer, _ print: (String) -> Void) {
        let constraint = JSONConstraint(schema: schema, trie: trie, tokenBytes: { tokenizer.tokenBytes($0) })
        var times: [Double] = []
        var sizes: [Int] = []
        for token in result.tokens {
            let start = MonotonicClock.nowMs()
            sizes.append(constraint.allowedTokens().count)
            times.append(MonotonicClock.nowMs() - start)
            constraint.advance(token)
        }
        guard !times.isEmpty else { return }
        let sorted = times.sorted()
        print(String(format: "allowed-set walk over %d positions: mean %.2f ms, median %.2f ms, max %.2f ms; allowed tokens mean %d, max %d",
                     times.count, times.reduce(0, +) / Double(times.count), sorted[sorted.count / 2], sorted.last!,
                     sizes.reduce(0, +) / sizes.count, sizes.max()!))
        print("last constrained output: \(result.text)")
    }
}
