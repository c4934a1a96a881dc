import Foundation
import XCTest

/// The command line as a user meets it: help on every command, the version, errors that
/// name the flag at fault.
final class CommandLineTests: XCTestCase {
    static let subcommands = ["serve", "generate", "bench", "bench-sessions", "healthcheck", "config"]

    func testHelpOnEveryCommand() throws {
        let top = try CommandRun.kvserve(["--help"])
        XCTAssertEqual(top.status, 0, top.stderr)
        for name in Self.subcommands { XCTAssertTrue(top.stdout.contains(name), "\(name) missing: \(top.stdout)") }
        XCTAssertEqual(try CommandRun.kvserve(["-h"]).stdout, top.stdout)

        for name in Self.subcommands {
            for flag in ["--help", "-h"] {
                let run = try CommandRun.kvserve([name, flag])
                XCTAssertEqual(run.status, 0, "\(name) \(flag): \(run.stderr)")
                XCTAssertTrue(run.stdout.contains("USAGE: kvserve \(name)"), "\(name) \(flag): \(run.stdout)")
                let collapsed = run.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
                XCTAssertFalse(collapsed.contains(") (default:"), "a default shown twice in \(name) help")
            }
        }
        let generate = try CommandRun.kvserve(["generate", "--help"]).stdout
        for flag in ["--prompt", "--chat", "--model", "--max-tokens", "--temperature", "--seed", "--threads"] {
            XCTAssertTrue(generate.contains(flag), "\(flag) missing from generate --help")
        }
    }

    /// serve --help lists every key of the default configuration with its default.
    func testServeHelpListsEverySettingOfTheConfigFile() throws {
        let config = try CommandRun.kvserve(["config"])
        XCTAssertEqual(config.status, 0)
        let settings = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(config.stdout.utf8)) as? [String: Any])
        let help = try CommandRun.kvserve(["serve", "--help"]).stdout
            .split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        for (key, value) in settings where key != "_doc" {
            XCTAssertTrue(help.contains("--" + key.replacingOccurrences(of: "_", with: "-") + " <"), "\(key) missing")
            let shown = Self.helpSpelling(value)
            XCTAssertTrue(help.contains("(default: \(shown))"), "default of \(key) (\(shown)) missing")
        }
    }

    /// A config-file value as `--help` shows it: strings bare ("" when empty), lists
    /// comma-separated ("none" when empty), booleans as true/false.
    static func helpSpelling(_ value: Any) -> String {
        if let string = value as? String { return string.isEmpty ? "\"\"" : string }
        if let list = value as? [Any] { return list.isEmpty ? "none" : list.map { "\($0)" }.joined(separator: ",") }
        if let number = value as? NSNumber, String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
        return "\(value)"
    }

    func testVersionCarriesTheStampedRevision() throws {
        let run = try CommandRun.kvserve(["--version"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let line = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertNotNil(line.range(of: #"^kvserve \d+\.\d+\.\d+ \(git [A-Za-z0-9._+-]+\)$"#, options: .regularExpression), line)
        // scripts/stamp-revision.sh writes the header; without it the revision is "unknown".
        let header = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/CBuildInfo/revision.h")
        let expected = (try? String(contentsOf: header, encoding: .utf8))
            .flatMap { $0.split(separator: "\"").dropFirst().first.map(String.init) } ?? "unknown"
        XCTAssertTrue(line.hasSuffix("(git \(expected))"), "\(line) vs \(expected)")
    }

    func testErrorsNameTheFlag() throws {
        let cases: [([String], String)] = [
            (["serve", "--port", "http"], "--port"),
            (["--port", "70000"], "--port"),
            (["serve", "--log-format", "xml"], "--log-format"),
            (["serve", "--bogus", "1"], "--bogus"),
            (["serve", "--port"], "--port"),
            (["generate", "--prompt", "x", "--max-tokens", "0"], "--max-tokens"),
            (["generate", "--prompt", "x", "--temperature", "warm"], "--temperature"),
            (["generate", "--max-tokens", "3"], "--prompt"),
            (["generate", "--prompt", "x", "--model", "no-such-model"], "--model"),
            (["bench-sessions", "--turns", "-1"], "--turns"),
        ]
        for (arguments, flag) in cases {
            let run = try CommandRun.kvserve(arguments)
            XCTAssertNotEqual(run.status, 0, "\(arguments)")
            XCTAssertTrue(run.stderr.contains(flag), "\(arguments): \(run.stderr)")
            XCTAssertFalse(run.stderr.contains("Fatal error"), run.stderr)
        }
    }

    func testMissingKnownModelSaysHowToFetchIt() throws {
        let empty = NSTemporaryDirectory() + "kvserve-nomodels-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let run = try CommandRun.kvserve(["serve", "--model", "qwen2.5-coder-1.5b", "--port", "0"],
                                         environment: ["KVSERVE_MODEL_DIR": empty])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("scripts/fetch-model.sh qwen2.5-coder-1.5b"), run.stderr)
    }

    func testPortInUseNamesTheAddress() throws {
        let first = ServerProcess(arguments: ["--model", try ServerProcess.modelPath(), "--port", "0", "--state-dir", ""])
        try first.start()
        let second = try CommandRun.kvserve(["serve", "--model", try ServerProcess.modelPath(), "--port", String(first.port),
                                             "--state-dir", ""])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.stderr.contains("127.0.0.1:\(first.port)"), second.stderr)
        XCTAssertTrue(second.stderr.contains("in use"), second.stderr)

        // The health check follows the port given in the environment.
        let healthy = try CommandRun.kvserve(["healthcheck"], environment: ["KVSERVE_PORT": String(first.port)])
        XCTAssertEqual(healthy.status, 0, healthy.stderr)
        first.signal(SIGTERM)
        XCTAssertEqual(first.waitForExit(timeout: 30), 0)
        let down = try CommandRun.kvserve(["healthcheck", "--timeout", "2"], environment: ["KVSERVE_PORT": String(first.port)])
        XCTAssertNotEqual(down.status, 0)
        XCTAssertTrue(down.stderr.contains("127.0.0.1:\(first.port)"), down.stderr)
    }
}
