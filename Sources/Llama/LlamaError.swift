/// Everything that can go wrong building or running a model. Messages name the
/// metadata key, tensor or value at fault.
public enum LlamaError: Error, CustomStringConvertible, Equatable {
    case wrongArchitecture(String)
    case badConfig(String)
    case missingTensor(String)
    case badTensorShape(name: String, expected: [Int], found: [Int])
    case unsupportedTensorType(name: String, type: String)
    case contextOverflow(start: Int, tokens: Int, limit: Int)
    case tokenOutOfRange(token: Int32, position: Int, vocab: Int)
    case emptyInput
    case cacheMismatch(String)
    case badSerializedCache(String)

    public var description: String {
        switch self {
        case let .wrongArchitecture(a):
            return "Llama: general.architecture is '\(a)'; supported: \(Architecture.supportedNames.joined(separator: ", "))"
        case let .badConfig(why): return "Llama: bad model config: \(why)"
        case let .missingTensor(name): return "Llama: missing tensor '\(name)'"
        case let .badTensorShape(name, expected, found):
            return "Llama: tensor '\(name)' has dims \(found), expected \(expected)"
        case let .unsupportedTensorType(name, type):
            return "Llama: tensor '\(name)' has type \(type), which this model code cannot use there"
        case let .contextOverflow(start, tokens, limit):
            return "Llama: context overflow: \(start) cached + \(tokens) new tokens exceed the context length \(limit)"
        case let .tokenOutOfRange(token, position, vocab):
            return "Llama: token id \(token) at input position \(position) is outside the vocabulary 0..<\(vocab)"
        case .emptyInput: return "Llama: forward called with no tokens"
        case let .cacheMismatch(why): return "Llama: KV cache does not fit this model: \(why)"
        case let .badSerializedCache(why): return "Llama: bad serialized KV cache: \(why)"
        }
    }
}
