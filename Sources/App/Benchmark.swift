import Foundation
import GGUF
import Kernels
import Llama

/// `kvserve bench`: prefill and decode speed of the model, with the KV cache and without it
/// (the baseline recomputes the whole sequence for every new token), at each context size.
/// Prefill and decode are medians of `runs` runs from one process; decode is also given as GB/s
/// of weights read beside the machine's measured read bandwidth (decode's ceiling). Prints a
/// table and one `RESULT kvserve <metric> <context> <value>` line per number for
/// scripts/bench.sh. Token ids are a fixed pseudo-random sequence: speed does not depend on text.
public func runBenchmark(modelPath: String, threads: Int, contexts: [Int] = [128, 512], runs: Int = 3) throws {
    let model = try LlamaModel(file: GGUFFile(path: modelPath), threads: threads)
    let decodeTokens = 128
    let baselineTokens = 3
    let weightBytes = weightBytesPerToken(model.file)
    let bandwidth = Kernels.readBandwidth(pool: ThreadPool(threads: threads))
    print("kvserve bench: \((modelPath as NSString).lastPathComponent), \(threads) threads, decode \(decodeTokens) tokens,",
          "medians of \(runs) runs")
    print(String(format: "weights read per decoded token: %.1f MB; machine read bandwidth (%d threads, streaming): %.1f GB/s",
                 Double(weightBytes) / 1e6, threads, bandwidth))
    print("context  prefill tok/s  decode tok/s (KV cache)  weights GB/s  decode tok/s (no cache)  KV speedup")
    print("RESULT kvserve read_bandwidth 0 \(String(format: "%.2f", bandwidth))")
    let bench = BenchRun(model: model)
    _ = try bench.prefillAndDecode(benchPrompt(32, vocab: model.config.vocab), tokens: 8)  // warm up pages and pool
    for n in contexts {
        let prompt = benchPrompt(n, vocab: model.config.vocab)
        let timings = try (0..<max(1, runs)).map { _ in try bench.prefillAndDecode(prompt, tokens: decodeTokens) }
        let prefill = median(timings.map(\.prefill)), cached = median(timings.map(\.decode))
        let recompute = try bench.decodeWithoutCache(prompt: prompt, tokens: baselineTokens)
        let speedup = cached / recompute
        let gbps = Double(weightBytes) * cached / 1e9
        print(pad(n, 7), pad(prefill, 14), pad(cached, 24), pad(gbps, 13), pad(recompute, 24), pad(speedup, 10) + "x")
        for (metric, value) in [("prefill", prefill), ("decode", cached), ("decode_nocache", recompute), ("kv_speedup", speedup)] {
            print("RESULT kvserve \(metric) \(n) \(String(format: "%.2f", value))")
        }
    }
}

private struct BenchRun {
    let model: LlamaModel

    /// Tokens per second of one forward over the whole prompt on an empty cache, then of
    /// `tokens` greedy tokens decoded one forward each after it.
    func prefillAndDecode(_ prompt: [Int32], tokens: Int) throws -> (prefill: Double, decode: Double) {
        var cache = model.makeCache(reserve: prompt.count + tokens)
        var logits: [Float] = []
        let tp = try timed { logits = try model.forward(prompt, cache: &cache) }
        let td = try timed {
            for _ in 0..<tokens {
                logits = try model.forward([argmaxToken(logits)], cache: &cache)
            }
        }
        return (Double(prompt.count) / tp, Double(tokens) / td)
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

/// Bytes of weights one decoded token reads: every tensor once, except the token embedding of
/// which one row is read, unless it is also the output head (as scripts/bench/weight_bytes.py).
func weightBytesPerToken(_ file: GGUFFile) -> Int {
    let tied = file.tensor(named: "output.weight") == nil
    return file.tensors.reduce(0) { sum, t in
        guard t.name == "token_embd.weight", !tied else { return sum + t.byteCount }
        return sum + t.byteCount / max(1, t.dims.last ?? 1)
    }
}

private func median(_ v: [Double]) -> Double {
    let s = v.sorted()
    return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
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
