import ArgumentParser
import Foundation
import Generation
import Sampling
import Tokenization

/// `kvserve generate`: streams the continuation of one prompt to stdout as it is decoded.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a continuation of one prompt on stdout (timings on stderr).")

    @Option(help: ArgumentHelp("The text to continue (or, with --chat, the user's message).", valueName: "text"))
    var prompt: String

    @Flag(help: "Wrap the prompt as one user message in the model's chat template.")
    var chat = false

    @Option(help: ArgumentHelp(Settings.meaning("model"), valueName: "name|path"))
    var model = Configuration().model

    @Option(help: ArgumentHelp("Tokens to generate at most.", valueName: "n"))
    var maxTokens = 128

    @Option(help: ArgumentHelp("Sampling temperature; 0 is greedy.", valueName: "t"))
    var temperature: Float = 0

    @Option(help: ArgumentHelp("Seed for sampling (same seed, same output).", valueName: "n"))
    var seed: UInt64?

    @Option(help: ArgumentHelp(Settings.meaning("threads"), valueName: "n"))
    var threads = Configuration().threads

    func validate() throws {
        guard maxTokens > 0 else { throw ValidationError("--max-tokens must be a positive integer, got \(maxTokens)") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be a number >= 0, got \(temperature)") }
        guard threads >= 0 else { throw ValidationError("--threads must be >= 0, got \(threads)") }
    }

    func run() throws {
        let modelPath = try ModelCatalog.resolve(model)
        var request = GenerationRequest(input: chat ? .messages([ChatMessage(role: "user", content: prompt)]) : .text(prompt))
        request.maxTokens = maxTokens
        request.sampling.temperature = temperature
        if let seed { request.sampling.seed = seed }
        let threads = self.threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : self.threads

        let loaded = try LoadedModel(path: modelPath, threads: threads)
        var engineConfig = Engine.EngineConfig()
        engineConfig.modelName = loaded.name
        engineConfig.modelIdentity = loaded.file.identity
        let engine = try Engine(model: loaded.model, tokenizer: loaded.tokenizer, template: loaded.template, config: engineConfig)
        let finished = DispatchSemaphore(value: 0)
        var failure: Error?
        _ = try engine.submit(request) { event in
            switch event {
            case let .token(_, text):
                FileHandle.standardOutput.write(Data(text.utf8))
            case let .finished(result):
                let timings = result.timings
                FileHandle.standardError.write(Data(String(format: "\n[%d prompt tokens, %d generated, prefill %.1f tok/s, decode %.1f tok/s, %@]\n",
                    result.usage.promptTokens, result.usage.completionTokens, timings.prefillTokensPerSecond,
                    timings.decodeTokensPerSecond, result.finishReason.rawValue).utf8))
                finished.signal()
            case let .failed(error):
                failure = error
                finished.signal()
            }
        }
        finished.wait()
        engine.shutdown(deadline: 1)
        if let failure { throw failure }
    }
}
