import Generation

extension BenchCommand {
    /// Decode time per token with a JSON-schema constraint vs without (`StructuredBenchmark`).
    static func runStructured(_ arguments: [String]) throws {
        var options = try CommandLineFlags.parse(arguments)
        let modelPath = try LoadedModel.resolvePath(options.removeValue(forKey: "model") ?? "")
        let threads = try GenerateCommand.integer(options.removeValue(forKey: "threads"), "threads", default: 2)
        try CommandLineFlags.rejectUnknown(options)
        let loaded = try LoadedModel(path: modelPath, threads: threads)
        guard let template = loaded.template else {
            throw ConfigurationError.badArgument("bench-structured needs a model with a supported chat template")
        }
        try StructuredBenchmark.run(model: loaded.model, tokenizer: loaded.tokenizer, template: template)
    }
}
