import Foundation
import Generation
import Sampling
import Tokenization

/// `kvserve generate --model PATH --prompt TEXT [--chat] [--max-tokens N] [--temperature T] [--seed S]`:
/// streams the continuation to stdout as it is decoded.
enum GenerateCommand {
    static func run(_ arguments: [String]) throws {
        var options = try CommandLineFlags.parse(arguments, switches: ["chat"])
        let chat = options.removeValue(forKey: "chat") != nil
        guard let prompt = options.removeValue(forKey: "prompt") else {
            throw ConfigurationError.badArgument("generate needs --prompt TEXT")
        }
        let modelPath = try LoadedModel.resolvePath(options.removeValue(forKey: "model") ?? "")
        let threads = try integer(options.removeValue(forKey: "threads"), "threads", default: 2)
        var request = GenerationRequest(input: chat ? .messages([ChatMessage(role: "user", content: prompt)]) : .text(prompt))
        request.maxTokens = try integer(options.removeValue(forKey: "max_tokens"), "max-tokens", default: 128)
        request.sampling.temperature = try number(options.removeValue(forKey: "temperature"), "temperature", default: 0)
        if let seed = options.removeValue(forKey: "seed") {
            guard let value = UInt64(seed) else { throw ConfigurationError.badArgument("--seed needs a non-negative integer") }
            request.sampling.seed = value
        }
        try CommandLineFlags.rejectUnknown(options)

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

    static func integer(_ text: String?, _ name: String, default value: Int) throws -> Int {
        guard let text else { return value }
        guard let parsed = Int(text), parsed > 0 else { throw ConfigurationError.badArgument("--\(name) needs a positive integer") }
        return parsed
    }

    static func number(_ text: String?, _ name: String, default value: Float) throws -> Float {
        guard let text else { return value }
        guard let parsed = Float(text), parsed >= 0, parsed.isFinite else { throw ConfigurationError.badArgument("--\(name) needs a number >= 0") }
        return parsed
    }
}
