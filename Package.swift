// swift-tools-version:6.0
import PackageDescription

// One target per concern; see shared design.md. Arrows point down only:
// kvserve -> App -> API -> HTTP, API -> Generation -> Sessions -> Llama -> GGUF/Kernels.
let package = Package(
    name: "kvserve",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kvserve", targets: ["kvserve"]),
    ],
    targets: [
        .target(name: "GGUF"),
        .target(name: "CKernels"),
        .target(name: "Kernels", dependencies: ["CKernels"]),
        .target(name: "Jinja"),
        .target(name: "Tokenization", dependencies: ["GGUF", "Jinja"]),
        .target(name: "Sampling"),
        .target(name: "Llama", dependencies: ["GGUF", "Kernels"]),
        .target(name: "Sessions", dependencies: ["Llama"]),
        .target(name: "Generation", dependencies: ["Llama", "Tokenization", "Sampling", "Sessions"]),
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        .target(name: "HTTP", dependencies: ["COpenSSL"]),
        .target(name: "API", dependencies: ["HTTP", "Generation", "Tokenization", "Sampling"]),
        .target(name: "App", dependencies: ["API", "HTTP", "Generation", "Llama", "Tokenization", "Sampling", "Sessions", "GGUF"]),
        .executableTarget(name: "kvserve", dependencies: ["App"]),

        .testTarget(name: "GGUFTests", dependencies: ["GGUF"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "GGUF"]),
        .testTarget(name: "JinjaTests", dependencies: ["Jinja"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization", "GGUF"]),
        .testTarget(name: "SamplingTests", dependencies: ["Sampling"]),
        .testTarget(name: "LlamaTests", dependencies: ["Llama", "GGUF", "Tokenization"]),
        .testTarget(name: "SessionsTests", dependencies: ["Sessions", "Llama"]),
        .testTarget(name: "GenerationTests", dependencies: ["Generation", "Sessions", "Llama", "GGUF", "Tokenization", "Sampling"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "EndToEndTests", dependencies: ["kvserve"]),
        .testTarget(name: "APITests", dependencies: ["API", "HTTP", "Generation", "GGUF", "Llama", "Tokenization", "Sampling"]),
    ],
    swiftLanguageModes: [.v5]
)
