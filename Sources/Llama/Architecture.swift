import GGUF

/// One architecture as a description over the shared decoder: the name in
/// `general.architecture` and what its blocks do differently. Hyper-parameters common to all
/// come from the file's `{arch}.*` keys in `LlamaConfig(file:)`; `configure` then sets the
/// block options and the facts the file does not carry, following the published definition.
struct Architecture: Sendable {
    let name: String
    let configure: @Sendable (inout LlamaConfig, GGUFFile) throws -> Void

    static let supported: [Architecture] = [.llama, .qwen2, .gemma3]

    static func named(_ name: String) throws -> Architecture {
        guard let a = supported.first(where: { $0.name == name }) else {
            throw LlamaError.wrongArchitecture(name)
        }
        return a
    }

    static var supportedNames: [String] { supported.map(\.name) }
}
