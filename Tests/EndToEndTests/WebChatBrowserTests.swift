import Foundation
import XCTest

// The chat page at "/" in a real browser (headless Chromium driven by Playwright, see
// scripts/tests/web_chat_browser.py): tokens stream into the page, Stop cancels on the
// server, a reload continues the same session with cached tokens. Leaves a screenshot in
// PythonScript.outputDirectory.
final class WebChatBrowserTests: XCTestCase {
    func testChatPageStreamsStopsAndContinuesAfterReload() throws {
        let stateDir = NSTemporaryDirectory() + "kvserve-web-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let server = ServerProcess(arguments: ["--model", try ServerProcess.modelPath(), "--port", "0",
                                               "--state-dir", stateDir])
        try server.start()
        defer { server.signal(SIGTERM); _ = server.waitForExit(timeout: 15) }
        let output = try PythonScript.run("web_chat_browser.py",
                                          ["http://127.0.0.1:\(server.port)", PythonScript.outputDirectory],
                                          timeout: 300)
        print(output)
        XCTAssertTrue(output.contains("web chat: all checks passed"), output)
    }
}
