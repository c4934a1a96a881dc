import Foundation

/// The command line: `kvserve serve | generate | bench`.
public enum KVServeCommand {
    static let usage = """
        usage:
          kvserve serve [--config FILE] [--model PATH] [--host H] [--port P] [--<setting> VALUE ...]
          kvserve generate --model PATH --prompt TEXT [--chat] [--max-tokens N] [--temperature T] [--seed S]
          kvserve bench --model PATH [--threads N]
        Settings and their defaults: config/kvserve.json.
        """

    public static func main(_ arguments: [String]) {
        let rest = Array(arguments.dropFirst(2))
        do {
            switch arguments.dropFirst().first {
            case "serve": try ServeCommand.run(rest)
            case "generate": try GenerateCommand.run(rest)
            case "bench": try BenchCommand.run(rest)
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
        var options = try GenerateCommand.parse(arguments)
        let modelPath = try LoadedModel.resolvePath(options.removeValue(forKey: "model") ?? "")
        let threads = try GenerateCommand.integer(options.removeValue(forKey: "threads"), "threads", default: 2)
        if let unknown = options.keys.sorted().first {
            throw ConfigurationError.badArgument("unknown flag --\(unknown.replacingOccurrences(of: "_", with: "-"))")
        }
        try runBenchmark(modelPath: modelPath, threads: threads)
    }
}
