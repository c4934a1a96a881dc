import Jinja
import XCTest

/// The JSON parser keeps key order and Python's int/float split; `dumps` prints as Python's
/// `json.dumps(ensure_ascii=False)` (reference strings below are Python's output).
final class JSONTests: XCTestCase {
    func testRoundTripKeepsOrderAndNumbers() throws {
        let text = #"{"z": 1, "a": [1.5, -0.0, 1e-07, 12345678901234567, true, null], "m": {"é": "\"\\\n\u0001😀"}}"#
        let v = try JSONParser.parse(text)
        XCTAssertEqual(try JSONText.dumps(v),
                       #"{"z": 1, "a": [1.5, -0.0, 1e-07, 12345678901234567, true, null], "m": {"é": "\"\\\n\u0001😀"}}"#)
        XCTAssertEqual(try JSONText.dumps(v, indent: " ", separators: (",", ":")),
                       "{\n \"z\":1,\n \"a\":[\n  1.5,\n  -0.0,\n  1e-07,\n  12345678901234567,\n  true,\n  null\n ],\n \"m\":{\n  \"é\":\"\\\"\\\\\\n\\u0001😀\"\n }\n}")
    }

    func testFloatsPrintAsPythonRepr() throws {
        // repr(x) in Python for each value.
        let cases: [(Double, String)] = [(1.0, "1.0"), (0.1, "0.1"), (1e16, "1e+16"), (1e15, "1000000000000000.0"),
                                         (0.0001, "0.0001"), (0.00001, "1e-05"), (123.456, "123.456"), (-2.5e-10, "-2.5e-10"),
                                         (1.7976931348623157e308, "1.7976931348623157e+308"), (5e-324, "5e-324")]
        for (d, expected) in cases {
            XCTAssertEqual(try JSONText.dumps(.double(d)), expected)
        }
    }

    func testInvalidJSONIsAnError() {
        for bad in ["", "{", "{\"a\" 1}", "[1,]", "tru", "\"abc", "{\"a\":1} x", "01x", "\"\\q\""] {
            XCTAssertThrowsError(try JSONParser.parse(bad), bad)
        }
    }
}
