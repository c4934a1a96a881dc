import Foundation

/// Models known by name: the files scripts/fetch-model.sh fetches (a test checks the two agree).
/// `--model NAME|PATH` resolves here.
enum ModelCatalog {
    static let defaultName = "qwen2.5-coder-0.5b"

    static let files: [(name: String, file: String)] = [
        ("smollm2-135m", "SmolLM2-135M-Instruct.Q4_1.gguf"),
        ("qwen2.5-coder-0.5b", "Qwen2.5-Coder-0.5B-Instruct.gguf"),
        ("qwen2.5-coder-1.5b", "Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf"),
        ("gemma3-270m", "gemma-3-270m.Q4_K_M.gguf"),
    ]

    static var names: [String] { files.map(\.name) }

    /// Where named models live: KVSERVE_MODEL_DIR, else $XDG_CACHE_HOME/kvserve, else ~/.cache/kvserve.
    static func directory(environment: [String: String]) -> String {
        if let dir = environment["KVSERVE_MODEL_DIR"], !dir.isEmpty { return expandTilde(dir) }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/kvserve" }
        return expandTilde("~/.cache/kvserve")
    }

    /// A known name becomes its file in the model directory; anything else is a path.
    /// Either way the file must exist, and the error says how to get it.
    static func resolve(_ nameOrPath: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                        flag: String = "--model") throws -> String {
        let fileManager = FileManager.default
        if let known = files.first(where: { $0.name == nameOrPath }) {
            let path = directory(environment: environment) + "/" + known.file
            guard fileManager.fileExists(atPath: path) else {
                throw ConfigurationError.badArgument(
                    "model \(known.name) is not at \(path): run `scripts/fetch-model.sh \(known.name)` (or set KVSERVE_MODEL_DIR to where it is)")
            }
            return path
        }
        let path = expandTilde(nameOrPath)
        guard fileManager.fileExists(atPath: path) else {
            throw ConfigurationError.badArgument(
                "\(flag) '\(nameOrPath)' is neither a known model name (\(names.joined(separator: ", "))) nor an existing file")
        }
        return path
    }
}

func expandTilde(_ path: String) -> String {
    guard path == "~" || path.hasPrefix("~/") else { return path }
    return NSHomeDirectory() + path.dropFirst()
}
