import XCTest
@testable import API

final class ToolCallParserTests: XCTestCase {
    func testQwenCallsParse() throws {
        let text = "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n"
            + "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>"
        let parsed = try XCTUnwrap(ToolCallParser.parse(text))
        XCTAssertEqual(parsed.content, "Let me check.\n")
        XCTAssertEqual(parsed.calls.map(\.name), ["get_weather", "get_time"])
        XCTAssertEqual(parsed.calls.map(\.arguments), [#"{"city":"Paris"}"#, "{}"])
        XCTAssertTrue(parsed.calls.allSatisfy { $0.id.hasPrefix("call_") && $0.id.count == 29 })
        XCTAssertNotEqual(parsed.calls[0].id, parsed.calls[1].id)
    }

    func testUnclosedLastCallAndPlainText() {
        XCTAssertEqual(ToolCallParser.parse("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1}}")?.calls.first?.arguments, #"{"a":1}"#)
        XCTAssertNil(ToolCallParser.parse("no calls here"))
        XCTAssertNil(ToolCallParser.parse("<tool_call>not json</tool_call>"))
        XCTAssertNil(ToolCallParser.parse("<tool_call>{\"arguments\": {}}</tool_call>"))
        XCTAssertNil(ToolCallParser.parse("<tool_call>{\"name\": \"f\"}</tool_call> trailing words"))
    }

    func testStreamingFilterHoldsOnlyAPossibleMarker() {
        var f = ToolCallFilter()
        XCTAssertEqual(f.append("Hello <to"), "Hello ")
        XCTAssertEqual(f.append("day"), "<today")
        XCTAssertEqual(f.append(" <tool_"), " ")
        XCTAssertEqual(f.append("call>{\"name\""), "")
        XCTAssertTrue(f.inCall)
        XCTAssertEqual(f.append(": \"f\"}</tool_call>"), "")
        XCTAssertEqual(f.callText, "<tool_call>{\"name\": \"f\"}</tool_call>")
        var g = ToolCallFilter()
        XCTAssertEqual(g.append("end <"), "end ")
        XCTAssertEqual(g.flush(), "<")
    }
}

final class APIKeysTests: XCTestCase {

    func testConstantTimeEquality() {
        XCTAssertTrue(APIKeys.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        XCTAssertFalse(APIKeys.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        XCTAssertFalse(APIKeys.constantTimeEqual(Array("abc".utf8), Array("abcd".utf8)))
        XCTAssertFalse(APIKeys.constantTimeEqual(Array("".utf8), Array("a".utf8)))
        // Lengths that differ by a multiple of 256 must still differ.
        XCTAssertFalse(APIKeys.constantTimeEqual([], [UInt8](repeating: 0, count: 256)))
    }

    func testOwnersScopeIDs() {
        let a = Owner(key: Array("key-a".utf8)), b = Owner(key: Array("key-b".utf8))
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a.suffix.count, 18)
        XCTAssertEqual(a.unscoped(a.scoped("resp_1")), "resp_1")
        XCTAssertNil(b.unscoped(a.scoped("resp_1")))
        XCTAssertEqual(Owner(suffix: "").scoped("x"), "x")
    }
}
