import ArgumentParser
import Generation

/// `kvserve bench-structured`: decode time per token with a JSON-schema constraint vs
/// without (`StructuredBenchmark`), side by side from one run.
struct BenchStructured: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-structured",
        abstract: "Time per token with a JSON-schema constraint vs. without, same prompt.")

    @Option(help: ArgumentHelp(Settings.meaning("model"), valueName: "name|path"))
    var model = Configuration().model

    @Option(help: ArgumentHelp("Threads for the model's matrix products.", valueName: "n"))
    var threads = 2

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be a positive integer, got \(threads)") }
    }

    func run() throws {
        let loaded = try LoadedModel(path: try ModelCatalog.resolve(model), threads: threads)
        guard let template = loaded.template else {
            throw ConfigurationError.badArgument("bench-structured needs a model with a supported chat template")
        }
        try StructuredBenchmark.run(model: loaded.model, tokenizer: loaded.tokenizer, template: template)
    }
}
