import Foundation

/// One run of the `kvserve` binary to completion: exit status, stdout and stderr.
struct CommandRun {
    let status: Int32
    let stdout: String
    let stderr: String

    static func kvserve(_ arguments: [String], environment extra: [String: String] = [:], timeout: TimeInterval = 60) throws -> CommandRun {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KVSERVE_CONFIG"] = nil
        environment["KVSERVE_MODEL"] = nil
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = OutputCollector(), err = OutputCollector()
        process.standardOutput = out.pipe
        process.standardError = err.pipe
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let drained = Date().addingTimeInterval(5)
        out.waitForEnd(until: drained)
        err.waitForEnd(until: drained)
        return CommandRun(status: process.terminationStatus, stdout: out.text, stderr: err.text)
    }
}
