import ArgumentParser
import Foundation
import Generation

/// `kvserve bench`: prefill and decode speed of the model at a few context lengths.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure prefill and decode speed (tokens/s) at a few context lengths.")

    @Option(help: ArgumentHelp(Settings.meaning("model"), valueName: "name|path"))
    var model = Configuration().model

    @Option(help: ArgumentHelp("Threads for the model's matrix products.", valueName: "n"))
    var threads = 2

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be a positive integer, got \(threads)") }
    }

    func run() throws {
        try runBenchmark(modelPath: try ModelCatalog.resolve(model), threads: threads)
    }
}

/// `kvserve bench-sessions`: time to first token per turn of a chat: with a session, re-sent
/// with prefix reuse, re-sent with no cache (the baseline), side by side from one run.
struct BenchSessions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-sessions",
        abstract: "Time to first token per chat turn: session vs. prefix reuse vs. no cache.")

    @Option(help: ArgumentHelp(Settings.meaning("model"), valueName: "name|path"))
    var model = Configuration().model

    @Option(help: ArgumentHelp("Chat turns to run.", valueName: "n"))
    var turns = 16

    @Option(help: ArgumentHelp("Threads for the model's matrix products.", valueName: "n"))
    var threads = 2

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be a positive integer, got \(threads)") }
        guard turns > 0 else { throw ValidationError("--turns must be a positive integer, got \(turns)") }
    }

    func run() throws {
        let loaded = try LoadedModel(path: try ModelCatalog.resolve(model), threads: threads)
        guard let template = loaded.template else {
            throw ConfigurationError.badArgument("bench-sessions needs a model with a supported chat template")
        }
        _ = try SessionBenchmark.run(model: loaded.model, tokenizer: loaded.tokenizer, template: template, turns: turns)
    }
}
