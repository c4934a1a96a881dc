import Foundation
import XCTest

// The cors_origins setting from the command line to the wire, with curl as the browser.
final class CORSSettingTests: XCTestCase {
    private func headers(_ response: String) -> [String: String] {
        var map: [String: String] = [:]
        for line in response.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { break }
            map[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return map
    }

    func testOriginsFromTheFlagAreHonoured() throws {
        let stateDir = NSTemporaryDirectory() + "kvserve-cors-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let server = ServerProcess(arguments: ["--model", try ServerProcess.modelPath(), "--port", "0", "--state-dir", stateDir,
                                               "--cors-origins", "http://a.example, https://b.example:8443"])
        try server.start()
        defer { server.signal(SIGTERM); _ = server.waitForExit(timeout: 15) }
        let base = "http://127.0.0.1:\(server.port)"

        let preflight = try Curl.run(["-si", "-X", "OPTIONS", base + "/generate", "-H", "Origin: https://b.example:8443",
                                      "-H", "Access-Control-Request-Method: POST",
                                      "-H", "Access-Control-Request-Headers: content-type, authorization"])
        XCTAssertTrue(preflight.hasPrefix("HTTP/1.1 204"), preflight)
        let p = headers(preflight)
        XCTAssertEqual(p["access-control-allow-origin"], "https://b.example:8443")
        XCTAssertEqual(p["access-control-allow-headers"], "content-type, authorization")
        XCTAssertEqual(p["access-control-allow-methods"]?.contains("POST"), true)
        XCTAssertEqual(p["access-control-max-age"], "600")

        let allowed = headers(try Curl.run(["-si", base + "/health", "-H", "Origin: http://a.example"]))
        XCTAssertEqual(allowed["access-control-allow-origin"], "http://a.example")
        XCTAssertEqual(allowed["vary"], "Origin")
        XCTAssertEqual(allowed["access-control-expose-headers"], "X-Request-Id")

        let other = try Curl.run(["-si", base + "/health", "-H", "Origin: http://c.example"])
        XCTAssertFalse(other.lowercased().contains("access-control-"), other)
        let otherPreflight = try Curl.run(["-si", "-X", "OPTIONS", base + "/generate", "-H", "Origin: http://c.example",
                                           "-H", "Access-Control-Request-Method: POST"])
        XCTAssertTrue(otherPreflight.hasPrefix("HTTP/1.1 405"), otherPreflight)
        XCTAssertFalse(otherPreflight.lowercased().contains("access-control-"), otherPreflight)
    }

    func testABadOriginStopsStartupNamingTheSetting() throws {
        let server = ServerProcess(arguments: ["--cors-origins", "ftp://files.example"])
        try server.process.run()
        XCTAssertEqual(server.waitForExit(timeout: 30), 1)
        XCTAssertTrue(server.log.contains("cors_origins"), server.log)
    }
}
