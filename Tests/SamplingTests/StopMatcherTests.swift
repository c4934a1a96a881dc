import Sampling
import XCTest

final class StopMatcherTests: XCTestCase {
    /// Feeds chunks; returns everything emitted (including flush) and whether it stopped.
    private func run(_ stops: [String], _ chunks: [String]) -> (String, Bool) {
        var m = StopMatcher(stops: stops)
        var out = ""
        for c in chunks {
            let r = m.append(c)
            out += r.emit
            if r.stopped { return (out, true) }
        }
        return (out + m.flush(), false)
    }

    func testNoStopsPassesEverythingThrough() {
        var m = StopMatcher(stops: [])
        XCTAssertEqual(m.append("abc").emit, "abc")
        XCTAssertEqual(m.flush(), "")
    }

    func testStopWithinOneChunk() {
        XCTAssertEqual(run(["END"], ["hello END world"]).0, "hello ")
        XCTAssertTrue(run(["END"], ["hello END world"]).1)
    }

    func testStopAcrossChunkBoundaries() {
        var m = StopMatcher(stops: ["</answer>"])
        XCTAssertEqual(m.append("42 </").emit, "42 ")   // "</" held back
        XCTAssertEqual(m.append("ans").emit, "")
        let r = m.append("wer> trailing")
        XCTAssertEqual(r.emit, "")
        XCTAssertTrue(r.stopped)
        XCTAssertEqual(m.matchedStop, "</answer>")
        XCTAssertEqual(m.append("more").emit, "")
        XCTAssertEqual(m.flush(), "")
    }

    func testHeldBackTextIsReleasedWhenItDiverges() {
        var m = StopMatcher(stops: ["STOP"])
        XCTAssertEqual(m.append("ST").emit, "")
        XCTAssertEqual(m.append("ART").emit, "START")
        XCTAssertEqual(m.append("S").emit, "")
        XCTAssertEqual(m.flush(), "S")
    }

    func testOverlappingPrefixes() {
        // "aab" inside "aaab": the first "a" cannot start a match once "aaa" is seen.
        XCTAssertEqual(run(["aab"], ["a", "a", "a", "b", "c"]).0, "a")
        // Two stops sharing a prefix: the earliest occurrence wins.
        XCTAssertEqual(run(["\n\n", "\nUser:"], ["Hi", "\n", "User", ":", " x"]).0, "Hi")
        XCTAssertEqual(run(["\n\n", "\nUser:"], ["Hi", "\n", "\n"]).0, "Hi")
        XCTAssertEqual(run(["xyz", "y"], ["xy"]).0, "x")
    }

    func testStopAtTheVeryStart() {
        XCTAssertEqual(run(["<"], ["<tag>"]).0, "")
        XCTAssertEqual(run(["Hello"], ["Hel", "lo there"]).0, "")
    }

    func testCharacterByCharacterEqualsWholeText() {
        let text = "The answer is 42.\nUser: next"
        let chunks = text.map { String($0) }
        XCTAssertEqual(run(["\nUser:"], chunks).0, "The answer is 42.")
        XCTAssertEqual(run(["\nUser:"], [text]).0, "The answer is 42.")
        XCTAssertEqual(run(["never"], chunks).0, text)
    }

    func testUnicodeStops() {
        XCTAssertEqual(run(["。"], ["日本語", "です。", "次"]).0, "日本語です")
        XCTAssertEqual(run(["😀"], ["ok 😀 no"]).0, "ok ")
    }
}
