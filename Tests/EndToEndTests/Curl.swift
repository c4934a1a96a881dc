import Foundation

/// Runs curl as the client, the way users reach the server.
final class Curl {
    let process = Process()
    private let output = OutputCollector()

    init(_ arguments: [String]) {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "-N", "--max-time", "120"] + arguments
        process.standardOutput = output.pipe
        process.standardError = FileHandle.nullDevice
    }

    var text: String { output.text }

    func start() throws { try process.run() }

    /// Waits until the output satisfies `condition`, or the timeout passes.
    @discardableResult
    func wait(timeout: TimeInterval, until condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(text) { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition(text)
    }

    func finish(timeout: TimeInterval = 120) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        // curl has exited: its output ends when the pipe reports end of file, not when we guess.
        output.waitForEnd(until: process.isRunning ? deadline : Date().addingTimeInterval(5))
        return text
    }

    /// One blocking request; returns the body.
    static func run(_ arguments: [String]) throws -> String {
        let curl = Curl(arguments)
        try curl.start()
        return curl.finish()
    }

    static func post(port: Int, path: String = "/generate", json: String) throws -> String {
        try run(["http://127.0.0.1:\(port)\(path)", "-H", "Content-Type: application/json", "-d", json])
    }
}

func jsonObject(_ text: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
}
