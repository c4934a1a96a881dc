import ArgumentParser

/// The command line: `kvserve [serve] | generate | bench | bench-sessions | healthcheck | config`.
/// Bare `kvserve --port 9000` is `serve`, so a container's arguments go straight to the server.
public struct KVServe: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kvserve",
        abstract: "An LLM inference server for GGUF models with durable chat sessions.",
        discussion: "Settings come from config/kvserve.json (or --config), then KVSERVE_<KEY> environment variables, then flags. `kvserve serve --help` lists every setting with its default.",
        version: BuildInfo.versionLine,
        subcommands: [Serve.self, Generate.self, Bench.self, BenchSessions.self, BenchStructured.self, BenchScheduler.self, BenchSpeculative.self, BenchKV.self, Healthcheck.self, PrintConfig.self],
        defaultSubcommand: Serve.self)

    public init() {}
}

/// `kvserve config`: the default configuration file, which config/kvserve.json equals.
struct PrintConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the default configuration file (every setting, its default and meaning).")

    func run() {
        print(Settings.defaultFile(), terminator: "")
    }
}
