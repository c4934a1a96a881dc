// The KV cache files throw `LlamaError`, whose full definition pulls in the whole model
// (architectures, GGUF). The fuzzer compiles only the cache, so it declares the cases the
// cache throws; a build error here means the cache throws a new case: add it.
enum LlamaError: Error {
    case badSerializedCache(String)
    case contextOverflow(start: Int, tokens: Int, limit: Int)
}
