import Foundation
import XCTest

/// Runs a test script from scripts/tests with the system python3 and fails the test, with
/// the script's output, when it exits non-zero (a missing module is such a failure too:
/// .ci/run installs what the scripts need).
enum PythonScript {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Where tests leave files for people to look at (screenshots): $KVSERVE_TEST_OUTPUT, or
    /// .build/test-output in the package.
    static var outputDirectory: String {
        ProcessInfo.processInfo.environment["KVSERVE_TEST_OUTPUT"]
            ?? packageRoot.appendingPathComponent(".build/test-output").path
    }

    @discardableResult
    static func run(_ name: String, _ arguments: [String], timeout: TimeInterval,
                    file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("scripts/tests/\(name)").path] + arguments
        let output = OutputCollector()
        process.standardOutput = output.pipe
        process.standardError = output.pipe
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            XCTFail("\(name) did not finish within \(Int(timeout)) s:\n\(output.text)", file: file, line: line)
            return output.text
        }
        Thread.sleep(forTimeInterval: 0.1)  // let the pipe's last bytes arrive
        XCTAssertEqual(process.terminationStatus, 0, "\(name) failed:\n\(output.text)", file: file, line: line)
        return output.text
    }
}
