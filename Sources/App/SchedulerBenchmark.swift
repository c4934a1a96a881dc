import Foundation
import Generation
import Llama
import Sampling
import Tokenization

/// Benchmark (not a test) of the model step scheduler, `kvserve bench-scheduler`: each
/// scenario runs on an engine with chunked prefill in the batch (`batchTokenBudget` > 0) and
/// on one with the old behaviour (budget 0: prompts prefilled in forwards of their own,
/// oldest first) as the baseline, side by side from one run. Each budget runs with every
/// `stepTimes` value (0: the fixed token budget alone; else the step-time target).
///
/// - Long prompt: a stream is decoding; a prompt of `longPrompt` tokens arrives, then an
///   8-token request. Reported: the 8-token request's completion time (submit to final
///   event), the running stream's largest gap between tokens while the long prompt is
///   prefilled, and the long prompt's own time to first token.
/// - Concurrency: aggregate tokens/s (all generated tokens over the wall time from the first
///   submit to the last final event) of `streams` concurrent streams vs one stream, with
///   time-to-first-token p50/p99.
enum SchedulerBenchmark {
    public struct Options {
        public var budgets: [Int] = [Engine.EngineConfig.defaultBatchTokenBudget]
        public var stepTimes: [Double] = [0, Engine.EngineConfig.defaultStepTimeMs]
        /// Per-step lines (rows, chunks, forward ms) on standard error.
        public var trace = false
        public var longPrompt = 3000
        public var shortTokens = 8
        public var streams = 32
        public var streamTokens = 64
        public init() {}
    }

    public static func run(model: LlamaModel, tokenizer: Tokenizer, options: Options,
                           print: (String) -> Void = { Swift.print($0) }) throws {
        let settings = [Setting(budget: 0, stepMs: 0)]
            + options.budgets.flatMap { b in options.stepTimes.map { Setting(budget: b, stepMs: $0) } }
        func engine(_ s: Setting) throws -> Engine {
            let trace = options.trace
            var config = Engine.EngineConfig(queueSize: 256, anonymousCacheCount: 0, maxBatch: max(options.streams, 2),
                                             batchTokenBudget: s.budget, log: { line in
                                                 if trace { FileHandle.standardError.write(Data((line + "\n").utf8)) }
                                             })
            config.stepTimeMs = s.stepMs
            config.traceSteps = trace
            return try Engine(model: model, tokenizer: tokenizer, template: nil, config: config)
        }
        let prompts = Prompts(tokenizer: tokenizer, vocab: model.config.vocab)
        print("long prompt (\(options.longPrompt) tokens) arriving while a stream decodes; then a \(options.shortTokens)-token request")
        print("budget, step_time_ms  short_request_done_s  stream_max_gap_s  long_prompt_ttft_s")
        for setting in settings {
            let e = try engine(setting)
            defer { e.shutdown(deadline: 0) }
            let r = try longPromptScenario(e, prompts, options)
            print(String(format: "%20@  %20.2f  %16.2f  %18.2f", setting.label, r.shortDone / 1000, r.maxGap / 1000,
                         r.longTTFT / 1000))
        }
        print("")
        print("\(options.streams) concurrent streams vs 1 (\(options.streamTokens) tokens each, greedy, short prompts)")
        print("budget, step_time_ms  1 stream tok/s  \(options.streams) streams tok/s  ratio  ttft_p50_ms  ttft_p99_ms")
        for setting in settings {
            let e = try engine(setting)
            defer { e.shutdown(deadline: 0) }
            let one = try concurrency(e, prompts, streams: 1, tokens: options.streamTokens)
            let many = try concurrency(e, prompts, streams: options.streams, tokens: options.streamTokens)
            print(String(format: "%20@  %14.1f  %15.1f  %4.2fx  %11.0f  %11.0f", setting.label, one.tokensPerSecond,
                         many.tokensPerSecond, many.tokensPerSecond / one.tokensPerSecond, many.ttftP50, many.ttftP99))
        }
    }

    /// One engine configuration compared.
    struct Setting {
        let budget: Int
        let stepMs: Double

        var label: NSString {
            (budget == 0 ? "0 (baseline)" : "\(budget), \(Int(stepMs))") as NSString
        }
    }

    struct LongPromptResult {
        var shortDone = 0.0
        var maxGap = 0.0
        var longTTFT = 0.0
    }

    static func longPromptScenario(_ engine: Engine, _ prompts: Prompts, _ o: Options) throws -> LongPromptResult {
        let stream = try submit(engine, greedy(prompts.short(0), maxTokens: 4000))  // cancelled once the others are done
        stream.waitForTokens(4)
        let long = try submit(engine, greedy(prompts.long(o.longPrompt), maxTokens: 1))
        usleep(100_000)  // the long prompt has started
        let short = try submit(engine, greedy(prompts.short(1), maxTokens: o.shortTokens))
        try short.wait()
        try long.wait()
        stream.ticket?.cancel()
        try stream.wait()
        var r = LongPromptResult()
        r.shortDone = (short.finishedMs ?? 0) - short.submittedMs
        r.longTTFT = long.firstTokenMs ?? 0
        r.maxGap = stream.largestGap(in: long.submittedMs...(long.finishedMs ?? long.submittedMs))
        return r
    }

    struct ConcurrencyResult {
        var tokensPerSecond = 0.0
        var ttftP50 = 0.0
        var ttftP99 = 0.0
    }

    static func concurrency(_ engine: Engine, _ prompts: Prompts, streams: Int, tokens: Int) throws -> ConcurrencyResult {
        let start = MonotonicClock.nowMs()
        let probes = try (0..<streams).map { try submit(engine, greedy(prompts.short(2 + $0), maxTokens: tokens)) }
        for p in probes { try p.wait() }
        let end = probes.compactMap(\.finishedMs).max() ?? start
        let generated = probes.reduce(0) { $0 + $1.tokens.count }
        let ttfts = probes.compactMap(\.firstTokenMs)
        return ConcurrencyResult(tokensPerSecond: Double(generated) * 1000 / max(end - start, 1),
                                 ttftP50: percentile(ttfts, 50), ttftP99: percentile(ttfts, 99))
    }

    private static func greedy(_ tokens: [Int32], maxTokens: Int) -> GenerationRequest {
        GenerationRequest(input: .tokens(tokens), sampling: .greedy, maxTokens: maxTokens, ignoreEOS: true)
    }

    /// Prompts of ordinary text (so the model decodes ordinary text), different per stream.
    struct Prompts {
        let tokenizer: Tokenizer
        let vocab: Int
        private static let topics = ["the sea", "a lighthouse", "bread", "winter", "a violin", "trains", "maps", "bees"]

        func short(_ i: Int) -> [Int32] {
            let topic = Self.topics[i % Self.topics.count]
            return tokenizer.encode("Request \(i): write a few sentences about \(topic).", parseSpecial: false)
        }

        func long(_ n: Int) -> [Int32] {
            let text = String(repeating: "The tide comes in over the stones, and the tide goes out again; ", count: n / 8 + 1)
            return Array(tokenizer.encode(text, parseSpecial: false).prefix(n))
        }
    }
}
