import ArgumentParser
import Foundation
import Generation
import Tokenization

/// The model and thread count every benchmark command takes.
struct BenchModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp(Settings.meaning("model"), valueName: "name|path"))
    var model = Configuration().model

    @Option(help: ArgumentHelp("Threads for the model's matrix products.", valueName: "n"))
    var threads = 2

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be a positive integer, got \(threads)") }
    }

    var modelPath: String { get throws { try ModelCatalog.resolve(model) } }

    /// The model with its chat template; `command` names who needs the template in the error.
    func loadChatModel(for command: String) throws -> (LoadedModel, ChatTemplate) {
        let loaded = try LoadedModel(path: try modelPath, threads: threads)
        guard let template = loaded.template else {
            throw ConfigurationError.badArgument("\(command) needs a model with a supported chat template")
        }
        return (loaded, template)
    }
}

/// `kvserve bench`: prefill and decode speed of the model at a few context lengths.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure prefill and decode speed (tokens/s) at a few context lengths.")

    @OptionGroup var options: BenchModelOptions

    @Option(name: .customLong("context"), help: ArgumentHelp("Prompt length to measure at (repeatable).", valueName: "n"))
    var contexts: [Int] = [128, 512]

    @Option(help: ArgumentHelp("Runs per context; prefill and decode report the median.", valueName: "n"))
    var runs = 3

    func validate() throws {
        guard runs > 0 else { throw ValidationError("--runs must be a positive integer, got \(runs)") }
        guard contexts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--context must be a positive integer") }
    }

    func run() throws {
        try runBenchmark(modelPath: try options.modelPath, threads: options.threads, contexts: contexts, runs: runs)
    }
}

/// `kvserve bench-sessions`: time to first token per turn of a chat: with a session, re-sent
/// with prefix reuse, re-sent with no cache (the baseline), side by side from one run.
struct BenchSessions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-sessions",
        abstract: "Time to first token per chat turn: session vs. prefix reuse vs. no cache.")

    @OptionGroup var options: BenchModelOptions

    @Option(help: ArgumentHelp("Chat turns to run.", valueName: "n"))
    var turns = 16

    func validate() throws {
        guard turns > 0 else { throw ValidationError("--turns must be a positive integer, got \(turns)") }
    }

    func run() throws {
        let (loaded, template) = try options.loadChatModel(for: "bench-sessions")
        _ = try SessionBenchmark.run(model: loaded.model, tokenizer: loaded.tokenizer, template: template, turns: turns)
    }
}
