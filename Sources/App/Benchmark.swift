import Foundation
import GGUF
import Llama

/// `kvserve bench`: prefill and decode speed of the model, with the KV cache and without it
/// (the baseline recomputes the whole sequence for every new token), at each context size.
/// Prints a table and one `RESULT kvserve <metric> <context> <value>` line per number for
/// scripts/bench.sh. Token ids are a fixed pseudo-random sequence: speed does not depend on text.
public func runBenchmark(modelPath: String, threads: Int, contexts: [Int] = [128, 512]) throws {
    let model = try LlamaModel(file: GGUFFile(path: modelPath), threads: threads)
    let decodeTokens = 128
    let baselineTokens = 3
    print("kvserve bench: \((modelPath as NSString).lastPathComponent), \(threads) threads, decode \(decodeTokens) tokens")
    print("context  prefill tok/s  decode tok/s (KV cache)  decode tok/s (no cache)  KV speedup")
    _ = try BenchRun(model: model).prefill(benchPrompt(32, vocab: model.config.vocab))  // warm up pages and pool
    for n in contexts {
        let run = BenchRun(model: model)
        let prompt = benchPrompt(n, vocab: model.config.vocab)
        let prefill = try run.prefill(prompt)
        let cached = try run.decodeWithCache(prompt: prompt, tokens: decodeTokens)
        let recompute = try run.decodeWithoutCache(prompt: prompt, tokens: baselineTokens)
        let speedup = cached / recompute
        print(pad(n, 7), pad(prefill, 14), pad(cached, 24), pad(recompute, 24), pad(speedup, 10) + "x")
        for (metric, value) in [("prefill", prefill), ("decode", cached), ("decode_nocache", recompute), ("kv_speedup", speedup)] {
            print("RESULT kvserve \(metric) \(n) \(String(format: "%.2f", value))")
        }
    }
}

private struct BenchRun {
    let model: LlamaModel

    /// Tokens per second for one forward over the whole prompt on an empty cache.
    func prefill(_ prompt: [Int32]) throws -> Double {
        var cache = model.makeCache(reserve: prompt.count)
        let t = try timed { _ = try model.forward(prompt, cache: &cache) }
        return Double(prompt.count) / t
    }

    /// Tokens per second generating `tokens` greedy tokens one forward each after the prompt.
    func decodeWithCache(prompt: [Int32], tokens: Int) throws -> Double {
        var cache = model.makeCache(reserve: prompt.count + tokens)
        var logits = try model.forward(prompt, cache: &cache)
        let t = try timed {
            for _ in 0..<tokens {
                logits = try model.forward([argmaxToken(logits)], cache: &cache)
            }
        }
        return Double(tokens) / t
    }

    /// The no-cache baseline: every new token reruns the whole sequence on a fresh cache.
    func decodeWithoutCache(prompt: [Int32], tokens: Int) throws -> Double {
        var seq = prompt
        var empty = model.makeCache()
        var logits = try model.forward(seq, cache: &empty)
        let t = try timed {
            for _ in 0..<tokens {
                seq.append(argmaxToken(logits))
                var fresh = model.makeCache()
                logits = try model.forward(seq, cache: &fresh)
            }
        }
        return Double(tokens) / t
    }

    private func timed(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

private func argmaxToken(_ logits: [Float]) -> Int32 {
    var best = 0
    for i in logits.indices where logits[i] > logits[best] { best = i }
    return Int32(best)
}

/// n pseudo-random token ids in 0..<vocab (an LCG, so every run uses the same prompt).
private func benchPrompt(_ n: Int, vocab: Int) -> [Int32] {
    var state: UInt64 = 12345
    return (0..<n).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int32((state >> 33) % UInt64(vocab))
    }
}

private func pad(_ v: Int, _ width: Int) -> String { pad(String(v), width) }
private func pad(_ v: Double, _ width: Int) -> String { pad(String(format: "%.1f", v), width) }
private func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}
