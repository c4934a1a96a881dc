import Foundation
import XCTest

/// A `kvserve serve` child process on an ephemeral port of 127.0.0.1, for black-box tests.
final class ServerProcess {
    let process = Process()
    private let stderr = OutputCollector()
    private(set) var port = 0

    static var binary: URL {
        // The test binary sits among the built products (.build/<config>/); on Linux the
        // bundle URL is that folder, elsewhere the .xctest bundle inside it.
        let bundle = Bundle(for: ServerProcess.self).bundleURL
        let folder = bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
        return folder.appendingPathComponent("kvserve")
    }

    static func modelPath() throws -> String {
        let path = ProcessInfo.processInfo.environment["KVSERVE_MODEL"]
            ?? NSHomeDirectory() + "/.cache/kvserve/SmolLM2-135M-Instruct.Q4_1.gguf"
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("default model missing at \(path): run scripts/fetch-model.sh")
            throw CocoaError(.fileNoSuchFile)
        }
        return path
    }

    init(arguments: [String]) {
        process.executableURL = Self.binary
        process.arguments = ["serve"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KVSERVE_CONFIG"] = nil
        process.environment = environment
        process.standardError = stderr.pipe
        process.standardOutput = FileHandle.nullDevice
    }

    var log: String { stderr.text }

    /// Starts the server and waits until it logs its port.
    func start(timeout: TimeInterval = 60) throws {
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let match = log.range(of: #"listening on [^ ]*:(\d+)"#, options: .regularExpression) {
                let text = String(log[match])
                port = Int(text.split(separator: ":").last ?? "") ?? 0
                return
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw NSError(domain: "ServerProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "server did not start: \(log)"])
    }

    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
