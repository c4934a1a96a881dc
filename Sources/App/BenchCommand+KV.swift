import ArgumentParser
import Foundation

/// `kvserve bench-kv`: bytes per token, sessions per budget, restore vs recompute and long-context
/// decode for each KV cache type, f32 (the old cache) as the baseline beside f16 and q8_0.
struct BenchKV: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-kv",
        abstract: "KV cache types side by side: bytes/token, sessions in a budget, restore vs recompute, decode.")

    @OptionGroup var options: BenchModelOptions

    @Option(help: ArgumentHelp("Tokens of the long session (restore vs recompute, decode).", valueName: "n"))
    var longTokens = 4000

    @Option(help: ArgumentHelp("Tokens per session in the budget count.", valueName: "n"))
    var sessionTokens = 1000

    @Option(help: ArgumentHelp("KV budget for the session count, in MiB.", valueName: "MiB"))
    var budgetMB = 1024

    func validate() throws {
        guard longTokens >= sessionTokens, sessionTokens > 0, budgetMB > 0 else {
            throw ValidationError("need --long-tokens >= --session-tokens > 0 and --budget-mb > 0")
        }
    }

    func run() throws {
        let loaded = try LoadedModel(path: try options.modelPath, threads: options.threads)
        guard longTokens + 16 <= loaded.model.config.contextLength else {
            throw ValidationError("--long-tokens \(longTokens) does not fit the model's context of \(loaded.model.config.contextLength)")
        }
        var bench = KVBenchmark(loaded: loaded, threads: options.threads)
        bench.longTokens = longTokens
        bench.sessionTokens = sessionTokens
        bench.budgetBytes = budgetMB << 20
        try bench.run()
    }
}
