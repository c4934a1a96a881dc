import ArgumentParser
import Foundation
import XCTest
@testable import App

/// The settings table is the one source for help, `kvserve config` and config/kvserve.json.
final class SettingsTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testConfigFileEqualsTheSettingsTable() throws {
        let path = Self.repositoryRoot.appendingPathComponent("config/kvserve.json").path
        let file = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(file, Settings.defaultFile(), "regenerate with: .build/debug/kvserve config > config/kvserve.json")

        // Valid JSON whose "_doc" holds each meaning and whose values load back to the defaults.
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(file.utf8)) as? [String: Any])
        let doc = try XCTUnwrap(object["_doc"] as? [String: String])
        XCTAssertEqual(Set(object.keys), Set(Settings.keys + ["_doc"]))
        for setting in Settings.all { XCTAssertEqual(doc[setting.key], setting.meaning, setting.key) }
        var loaded = Configuration()
        loaded.port = 1
        loaded.model = "elsewhere.gguf"
        try ConfigurationLoader.apply(file: path, to: &loaded)
        XCTAssertEqual(loaded, Configuration())
    }

    /// Every setting has its flag, and the flag feeds that setting.
    func testEverySettingHasAServeFlag() throws {
        var arguments: [String] = []
        for setting in Settings.all { arguments += [setting.flag, "value-of-\(setting.key)"] }
        let options = try ServeOptions.parse(arguments)
        XCTAssertEqual(options.givenSettings, Dictionary(uniqueKeysWithValues: Settings.all.map { ($0.key, "value-of-\($0.key)") }))
    }

    func testServeHelpListsEverySettingWithItsDefaultAndMeaning() {
        // Help wraps lines; compare with whitespace collapsed.
        let help = Self.collapsed(ServeOptions.helpMessage(columns: 200))
        for setting in Settings.all {
            XCTAssertTrue(help.contains(setting.flag + " <"), "\(setting.flag) missing from help")
            XCTAssertTrue(help.contains(Self.collapsed(setting.help)), "help for \(setting.key): \(setting.help)")
        }
        XCTAssertTrue(help.contains("(default: 8080)"))
        XCTAssertTrue(help.contains("(default: qwen2.5-coder-0.5b)"))
    }

    func testFlagsOverrideEnvironmentOverrideFile() throws {
        let file = NSTemporaryDirectory() + "kvserve-settings-\(UUID().uuidString).json"
        try #"{"port": 1111, "threads": 3, "log_format": "json"}"#.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let options = try ServeOptions.parse(["--config", file, "--port", "3333"])
        let config = try options.load(environment: ["KVSERVE_PORT": "2222", "KVSERVE_THREADS": "4"])
        XCTAssertEqual(config.port, 3333)
        XCTAssertEqual(config.threads, 4)
        XCTAssertEqual(config.logFormat, "json")
    }

    func testBadValuesNameTheFlagOrVariable() throws {
        func message(_ arguments: [String], _ environment: [String: String] = [:]) -> String {
            do {
                _ = try ServeOptions.parse(arguments).load(environment: environment)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(message(["--log-format", "xml"]).contains("flag --log-format"), message(["--log-format", "xml"]))
        XCTAssertTrue(message(["--max-body-bytes", "12"]).contains("flag --max-body-bytes"))
        XCTAssertTrue(message([], ["KVSERVE_LOG_LEVEL": "loud"]).contains("KVSERVE_LOG_LEVEL"))
        XCTAssertTrue(message(["--model", ""]).contains("flag --model"))
    }

    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }
}
