import ArgumentParser
import Generation

/// `kvserve bench-scheduler`: a long prompt's effect on other requests, and aggregate decode
/// of many streams vs one, with chunked prefill in the batch vs the old behaviour
/// (`SchedulerBenchmark`), side by side from one run.
struct BenchScheduler: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-scheduler",
        abstract: "Stalls behind a long prompt and many-stream throughput: batch_token_budget vs. 0 (old behaviour).")

    @OptionGroup var options: BenchModelOptions

    @Option(help: ArgumentHelp("batch_token_budget values to compare with 0, comma-separated.", valueName: "list"))
    var budgets = "\(Engine.EngineConfig.defaultBatchTokenBudget)"

    @Option(help: ArgumentHelp("step_time_ms values to run each budget with (0: the fixed budget alone), comma-separated.",
                               valueName: "list"))
    var stepTimes = "0,\(Int(Engine.EngineConfig.defaultStepTimeMs))"

    @Flag(help: "Print one line per model step (rows, prompt chunks, forward time) on standard error.")
    var trace = false

    @Option(help: ArgumentHelp("Tokens of the long prompt.", valueName: "n"))
    var longPrompt = 3000

    @Option(help: ArgumentHelp("Concurrent streams.", valueName: "n"))
    var streams = 32

    @Option(help: ArgumentHelp("Tokens each stream generates.", valueName: "n"))
    var streamTokens = 64

    func validate() throws {
        guard parsedBudgets.map({ !$0.isEmpty && $0.allSatisfy { $0 > 0 } }) ?? false else {
            throw ValidationError("--budgets must be positive integers separated by commas, got \(budgets)")
        }
        guard parsedStepTimes.map({ !$0.isEmpty && $0.allSatisfy { $0 >= 0 } }) ?? false else {
            throw ValidationError("--step-times must be integers >= 0 separated by commas, got \(stepTimes)")
        }
        guard longPrompt > 0, streams > 0, streamTokens > 0 else {
            throw ValidationError("--long-prompt, --streams and --stream-tokens must be positive")
        }
    }

    private var parsedBudgets: [Int]? { Self.integers(budgets) }
    private var parsedStepTimes: [Int]? { Self.integers(stepTimes) }

    private static func integers(_ list: String) -> [Int]? {
        let items = list.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return items.contains(nil) ? nil : items.compactMap { $0 }
    }

    func run() throws {
        let loaded = try LoadedModel(path: try options.modelPath, threads: options.threads)
        var o = SchedulerBenchmark.Options()
        o.budgets = parsedBudgets ?? o.budgets
        o.stepTimes = parsedStepTimes.map { $0.map(Double.init) } ?? o.stepTimes
        o.trace = trace
        o.longPrompt = longPrompt
        o.streams = streams
        o.streamTokens = streamTokens
        print("model \(try options.modelPath), \(options.threads) threads")
        try SchedulerBenchmark.run(model: loaded.model, tokenizer: loaded.tokenizer, options: o)
    }
}
