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
    let architecture: String

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
        architecture = file.optionalString("general.architecture") ?? "unknown"
    }
}
