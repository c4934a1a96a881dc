import Foundation
import Generation

/// The command line: `kvserve serve | generate | bench`.
public enum KVServeCommand {
    static let usage = """
        usage:
          kvserve serve [--config FILE] [--model PATH] [--host H] [--port P] [--<setting> VALUE ...]
          kvserve generate --model PATH --prompt TEXT [--chat] [--max-tokens N] [--temperature T] [--seed S]
          kvserve bench --model PATH [--threads N]
          kvserve bench-sessions --model PATH [--turns N] [--threads N]
          kvserve bench-structured --model PATH [--threads N]
        Settings and their defaults: config/kvserve.json.
        """

    public static func main(_ arguments: [String]) {
        let rest = Array(arguments.dropFirst(2))
        do {
            switch arguments.dropFirst().first {
            case "serve": try ServeCommand.run(rest)
            case "generate": try GenerateCommand.run(rest)
            case "bench": try BenchCommand.run(rest)
            case "bench-sessions": try BenchCommand.runSessions(rest)
            case "bench-structured": try BenchCommand.runStructured(rest)
            case "help", "--help", "-h":
                print(usage)
            default:
                FileHandle.standardError.write(Data((usage + "\n").utf8))
                exit(2)
            }
        } catch {
            FileHandle.standardError.write(Data("kvserve: \(error)\n".utf8))
            exit(1)
        }
    }
}

enum BenchCommand {
    static func run(_ arguments: [String]) throws {
        var options = try CommandLineFlags.parse(arguments)
        let modelPath = try LoadedModel.resolvePath(options.removeValue(forKey: "model") ?? "")
        let threads = try GenerateCommand.integer(options.removeValue(forKey: "threads"), "threads", default: 2)
        try CommandLineFlags.rejectUnknown(options)
        try runBenchmark(modelPath: modelPath, threads: threads)
    }

    /// Time to first token per turn of a chat: with a session, re-sent with prefix reuse,
    /// re-sent with no cache (the baseline), side by side from one run.
    static func runSessions(_ arguments: [String]) throws {
        var options = try CommandLineFlags.parse(arguments)
        let modelPath = try LoadedModel.resolvePath(options.removeValue(forKey: "model") ?? "")
        let threads = try GenerateCommand.integer(options.removeValue(forKey: "threads"), "threads", default: 2)
        let turns = try GenerateCommand.integer(options.removeValue(forKey: "turns"), "turns", default: 16)
        try CommandLineFlags.rejectUnknown(options)
        let loaded = try LoadedModel(path: modelPath, threads: threads)
        guard let template = loaded.template else {
            throw ConfigurationError.badArgument("bench-sessions needs a model with a supported chat template")
        }
        _ = try SessionBenchmark.run(model: loaded.model, tokenizer: loaded.tokenizer, template: template, turns: turns)
    }
}
