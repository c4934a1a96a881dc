import ArgumentParser
import Generation

/// `kvserve bench-speculative`: decode rate with speculative decoding off vs ngram on a code
/// edit and on a chat answer (`SpeculativeBenchmark`), side by side from one run.
struct BenchSpeculative: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-speculative",
        abstract: "Decode rate with speculative decoding off vs. ngram: a code edit and a chat answer, greedy.")

    @OptionGroup var options: BenchModelOptions

    @Option(help: ArgumentHelp("Rounds of each case (off and ngram alternate).", valueName: "n"))
    var rounds = 3

    func validate() throws {
        guard rounds > 0 else { throw ValidationError("--rounds must be a positive integer, got \(rounds)") }
    }

    func run() throws {
        let (loaded, template) = try options.loadChatModel(for: "bench-speculative")
        try SpeculativeBenchmark.run(model: loaded.model, tokenizer: loaded.tokenizer, template: template, rounds: rounds)
    }
}
