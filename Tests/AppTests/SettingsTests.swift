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
        // And it is valid JSON whose values load back to the defaults.
        var loaded = Configuration()
        loaded.port = 1
        try ConfigurationLoader.apply(file: path, to: &loaded)
        XCTAssertEqual(loaded, Configuration())
    }
}
