// swift-tools-version:6.0
import PackageDescription

// One target per concern; the graph and who owns what: docs/architecture.md. Arrows point down
// only: kvserve -> App -> API -> HTTP; API -> Generation -> Llama -> GGUF/Kernels, with
// Generation also over Sessions, Tokenization, Sampling and Grammar (leaves apart from
// Tokenization -> Jinja/GGUF).
let package = Package(
    name: "kvserve",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kvserve", targets: ["kvserve"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "GGUF"),
        .target(name: "CKernels"),
        .target(name: "Kernels", dependencies: ["CKernels"]),
        .target(name: "Jinja"),
        .target(name: "Tokenization", dependencies: ["GGUF", "Jinja"]),
        .target(name: "Sampling"),
        .target(name: "Grammar"),
        .target(name: "Llama", dependencies: ["GGUF", "Kernels"]),
        .target(name: "Sessions"),
        .target(name: "Generation", dependencies: ["Llama", "Tokenization", "Sampling", "Sessions", "Grammar"]),
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        .target(name: "HTTP", dependencies: ["COpenSSL"]),
        .target(name: "Telemetry", dependencies: [.product(name: "CoreMetrics", package: "swift-metrics"),
                                                  .product(name: "Prometheus", package: "swift-prometheus")]),
        .target(name: "API", dependencies: ["HTTP", "Generation", "Tokenization", "Sampling", "Grammar", "Telemetry"]),
        .target(name: "CBuildInfo"),
        .target(name: "App", dependencies: ["API", "HTTP", "Generation", "Llama", "Tokenization", "Sampling", "Grammar", "Sessions", "GGUF",
                                            "Kernels", "Telemetry", "CBuildInfo",
                                            .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                            .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "kvserve", dependencies: ["App"]),
        .executableTarget(name: "kernel-bench", dependencies: ["Kernels"]),

        // Helpers shared by the test targets: a raw HTTP client, a GGUF writer, a seeded PRNG.
        .target(name: "TestSupport", dependencies: ["GGUF"], path: "Tests/TestSupport"),
        .testTarget(name: "GGUFTests", dependencies: ["TestSupport", "GGUF"]),
        .testTarget(name: "KernelsTests", dependencies: ["TestSupport", "Kernels", "GGUF"]),
        .testTarget(name: "JinjaTests", dependencies: ["Jinja"]),
        .testTarget(name: "TokenizationTests", dependencies: ["TestSupport", "Tokenization", "GGUF"]),
        .testTarget(name: "SamplingTests", dependencies: ["Sampling"]),
        .testTarget(name: "GrammarTests", dependencies: ["TestSupport", "Grammar", "Generation", "Llama", "GGUF", "Tokenization", "Sampling"]),
        .testTarget(name: "LlamaTests", dependencies: ["TestSupport", "Llama", "GGUF", "Tokenization"]),
        .testTarget(name: "SessionsTests", dependencies: ["Sessions", "Llama", "TestSupport"]),
        .testTarget(name: "GenerationTests", dependencies: ["Generation", "Sessions", "Llama", "GGUF", "Tokenization", "Sampling", "Grammar"]),
        .testTarget(name: "HTTPTests", dependencies: ["TestSupport", "HTTP"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "kvserve"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry"]),
        .testTarget(name: "AppTests", dependencies: ["App", "HTTP", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "APITests", dependencies: ["TestSupport", "API", "HTTP", "Generation", "GGUF", "Llama", "Tokenization", "Sampling", "Grammar"]),
    ],
    swiftLanguageModes: [.v6]
)
