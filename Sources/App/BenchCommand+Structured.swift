import ArgumentParser
import Generation

/// `kvserve bench-structured`: decode time per token with a JSON-schema constraint vs
/// without (`StructuredBenchmark`), side by side from one run.
struct BenchStructured: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-structured",
        abstract: "Time per token with a JSON-schema constraint vs. without, same prompt.")

    @OptionGroup var options: BenchModelOptions

    func run() throws {
        let (loaded, template) = try options.loadChatModel(for: "bench-structured")
        try StructuredBenchmark.run(model: loaded.model, tokenizer: loaded.tokenizer, template: template)
    }
}
