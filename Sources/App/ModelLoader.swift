import Foundation
import GGUF
import Llama
import Tokenization

/// The model file, its weights, tokenizer and chat template, loaded together.
struct LoadedModel {
    let file: GGUFFile
    let model: LlamaModel
    let tokenizer: Tokenizer
    let template: ChatTemplate?
    let name: String

    static let defaultFileName = "SmolLM2-135M-Instruct.Q4_1.gguf"

    init(path: String, threads: Int) throws {
        file = try GGUFFile(path: path)
        model = try LlamaModel(file: file, threads: threads)
        tokenizer = try Tokenizer(gguf: file)
        do {
            template = try ChatTemplate(gguf: file)
        } catch {
            // Raw prompts still work; `messages` requests get a clear error instead.
            Log.write(.warning, "chat template: \(error); requests with messages will be refused")
            template = nil
        }
        name = file.optionalString("general.name") ?? URL(fileURLWithPath: path).lastPathComponent
    }

    /// The configured path, or the default model in the cache, fetched on first use by the
    /// project's script when it is at hand (a source checkout).
    static func resolvePath(_ configured: String) throws -> String {
        if !configured.isEmpty { return expandTilde(configured) }
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["KVSERVE_MODEL_DIR"]
            ?? (environment["XDG_CACHE_HOME"] ?? expandTilde("~/.cache")) + "/kvserve"
        let path = cache + "/" + defaultFileName
        if FileManager.default.fileExists(atPath: path) { return path }
        let script = "scripts/fetch-model.sh"
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw ConfigurationError.badArgument(
                "no model: set \"model\" in the config (or --model PATH); the default model is fetched by scripts/fetch-model.sh into \(cache)")
        }
        Log.write(.info, "default model not found in \(cache); fetching it with \(script)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError.badArgument("fetching the default model failed (\(script) exited \(process.terminationStatus))")
        }
        return path
    }
}

func expandTilde(_ path: String) -> String {
    guard path == "~" || path.hasPrefix("~/") else { return path }
    return NSHomeDirectory() + path.dropFirst()
}
