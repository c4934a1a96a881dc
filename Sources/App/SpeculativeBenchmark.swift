import Foundation
import Generation
import Llama
import Sampling
import Tokenization

/// Benchmark (not a test): decode rate with speculative decoding `off` and `ngram` side by
/// side, same engine, same prompt, rounds alternating so machine noise hits both alike.
/// Cases: a code edit (the model re-types a function with a variable renamed: most of the
/// output repeats the prompt) and an ordinary chat answer (little repeats). Greedy, so both
/// modes must produce the same tokens; the run fails if they differ. `kvserve bench-speculative`.
enum SpeculativeBenchmark {
    public struct Case {
        public let name: String
        public let prompt: String
        public let maxTokens: Int
    }

    public static let codeEdit = Case(name: "code edit", prompt: """
        Rename the variable x to y in this function. Output only the code.

        ```python
        def summarize_readings(readings, threshold=0.5, window=3):
            \"\"\"Group sensor readings into runs above a threshold and report each run.\"\"\"
            runs = []
            current = []
            for x in readings:
                if x is None:
                    continue
                if x >= threshold:
                    current.append(x)
                elif current:
                    runs.append(current)
                    current = []
            if current:
                runs.append(current)
            report = []
            for run in runs:
                total = 0.0
                peak = run[0]
                for x in run:
                    total += x
                    if x > peak:
                        peak = x
                mean = total / len(run)
                spread = sum((x - mean) ** 2 for x in run) / len(run)
                smooth = [sum(run[i:i + window]) / window for i in range(len(run) - window + 1)]
                report.append({
                    "length": len(run),
                    "mean": round(mean, 3),
                    "peak": peak,
                    "stddev": round(spread ** 0.5, 3),
                    "smoothed_max": max(smooth) if smooth else peak,
                })
            return report
        ```
        """, maxTokens: 200)

    public static let chat = Case(name: "chat", prompt: "Give me three tips for sleeping better, with a sentence on why each works.",
                                  maxTokens: 200)

    public static func run(model: LlamaModel, tokenizer: Tokenizer, template: ChatTemplate, rounds: Int = 3,
                           cases: [Case] = [codeEdit, chat], print: (String) -> Void = { Swift.print($0) }) throws {
        // No prefix reuse between runs: a reused prompt re-runs its last token alone, and with
        // K-quant matrices a one-row product sums in another order than the prefill's (see
        // LlamaModel+Verify.swift), which could flip a near-tie in either mode.
        let engine = try Engine(model: model, tokenizer: tokenizer, template: template,
                                config: .init(anonymousCacheCount: 0, log: { _ in }))
        defer { engine.shutdown(deadline: 0) }
        print("case        round  prompt  off tok/s (tokens)  ngram tok/s (tokens)  speedup  same tokens")
        for c in cases {
            var ratios: [Double] = []
            for round in 1...rounds {
                let off = try engine.run(request(c, .off))
                let ngram = try engine.run(request(c, .ngram))
                let same = off.tokens == ngram.tokens
                let ratio = ngram.timings.decodeTokensPerSecond / max(off.timings.decodeTokensPerSecond, 1e-9)
                ratios.append(ratio)
                print(String(format: "%-10@  %5d  %6d  %9.1f (%4d)  %11.1f (%4d)  %6.2fx  %@", c.name as NSString, round,
                             off.usage.promptTokens, off.timings.decodeTokensPerSecond, off.tokens.count,
                             ngram.timings.decodeTokensPerSecond, ngram.tokens.count, ratio, (same ? "yes" : "NO") as NSString))
                guard same else {
                    throw GenerationError.internalError("\(c.name): ngram output differs from off (greedy must be identical)")
                }
            }
            let median = ratios.sorted()[ratios.count / 2]
            let key = c.name.replacingOccurrences(of: " ", with: "_")
            print("RESULT kvserve speculative_speedup_\(key) \(String(format: "%.3f", median))")
        }
    }

    static func request(_ c: Case, _ mode: SpeculativeMode) -> GenerationRequest {
        var r = GenerationRequest(input: .messages([ChatMessage(role: "user", content: c.prompt)]),
                                  sampling: .greedy, maxTokens: c.maxTokens)
        r.speculative = mode
        return r
    }
}
