import Foundation
import GGUF
import TestSupport

/// Temporary files for GGUF tests (removed at process exit by the OS tmp cleaner; names are unique).
enum GGUFTestFile {
    static func path() -> String {
        NSTemporaryDirectory() + "kvserve-gguf-test-\(UUID().uuidString).gguf"
    }

    static func write(_ w: GGUFWriter) throws -> String {
        try write(bytes: try w.encode())
    }

    static func write(bytes: [UInt8]) throws -> String {
        let p = path()
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    static var modelPath: String {
        ProcessInfo.processInfo.environment["KVSERVE_MODEL"]
            ?? NSHomeDirectory() + "/.cache/kvserve/SmolLM2-135M-Instruct.Q4_1.gguf"
    }
}
