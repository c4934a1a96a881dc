import Foundation
import Generation
import Grammar
import Llama
import Sampling
import Tokenization

#if canImport(Glibc)
import Glibc
#endif

extension StructuredBenchmark {
    /// The constraint's own cost per token, robust to a busy machine: one decode loop outside
    /// the engine where each step's sampling is timed in this thread's CPU time twice, plain
    /// (on a copy of the logits) and constrained (the token kept), next to the forward's wall
    /// time. Prints the medians and the constraint's extra cost as a share of a plain step.
    static func overhead(model: LlamaModel, tokenizer: Tokenizer, template: ChatTemplate, schema: CompiledSchema,
                         question: String, sampling: SamplingParams, print: (String) -> Void) throws {
        let pieces = try template.render([ChatMessage(role: "user", content: question)], addGenerationPrompt: true)
        let prompt = try tokenizer.encode(pieces: pieces)
        var cache = model.makeCache(reserve: prompt.count + 256)
        var logits = try model.forward(prompt, cache: &cache)
        let constraint = JSONConstraint(schema: schema, trie: ConstraintVocabulary.trie(for: tokenizer),
                                        tokenBytes: { tokenizer.tokenBytes($0) })
        var constrained = Sampler(params: sampling), plain = Sampler(params: sampling)
        var history = prompt
        var forwardMs: [Double] = [], plainMs: [Double] = [], constrainedMs: [Double] = []
        var walks = 0
        while history.count < prompt.count + 256 && !constraint.mustEnd {
            var copy = logits
            var t = threadCPUms()
            _ = plain.sample(logits: &copy, history: history[...])
            plainMs.append(threadCPUms() - t)
            t = threadCPUms()
            guard let token = constrained.sample(logits: &logits, history: history[...], allows: constraint.allows,
                                                 allowedTokens: { walks += 1; return constraint.allowedTokens() }),
                  constraint.advance(token) else { break }
            constrainedMs.append(threadCPUms() - t)
            if tokenizer.isEndOfGeneration(token) { break }
            history.append(token)
            let w = MonotonicClock.nowMs()
            logits = try model.forward([token], cache: &cache)
            forwardMs.append(MonotonicClock.nowMs() - w)
        }
        let n = constrainedMs.count
        let extra = (constrainedMs.reduce(0, +) - plainMs.reduce(0, +)) / Double(max(n, 1))
        let step = median(forwardMs) + median(plainMs)
        print(String(format: "%d tokens, %d allowed-set walks; per token: forward %.2f ms (median wall), sampling %.3f ms plain / %.3f ms constrained (CPU, mean %.3f / %.3f); constraint adds %.3f ms = %.1f%% of a plain step",
                     n, walks, median(forwardMs), median(plainMs), median(constrainedMs),
                     plainMs.reduce(0, +) / Double(max(n, 1)), constrainedMs.reduce(0, +) / Double(max(n, 1)),
                     extra, 100 * extra / step))
        print("RESULT kvserve structured_overhead_percent \(sampling.temperature <= 0 ? "greedy" : "temp1") \(String(format: "%.2f", 100 * extra / step))")
    }

    private static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        return xs.sorted()[xs.count / 2]
    }

    private static func threadCPUms() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }
}
