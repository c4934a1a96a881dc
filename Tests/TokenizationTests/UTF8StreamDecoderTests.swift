import Tokenization
import XCTest

final class UTF8StreamDecoderTests: XCTestCase {
    func testHoldsBackSplitCharacters() {
        var d = UTF8StreamDecoder()
        let bytes = Array("a😀é日".utf8)  // 1 + 4 + 2 + 3 bytes
        var out = ""
        var emitted: [String] = []
        for b in bytes {
            let s = d.append([b])
            emitted.append(s)
            out += s
        }
        out += d.flush()
        XCTAssertEqual(out, "a😀é日")
        XCTAssertEqual(emitted.filter { !$0.isEmpty }, ["a", "😀", "é", "日"])
    }

    func testEveryChunkingGivesTheSameText() {
        let text = "naïve 日本語 👨‍👩‍👧 ok"
        let bytes = Array(text.utf8)
        for chunk in 1...5 {
            var d = UTF8StreamDecoder()
            var out = ""
            var i = 0
            while i < bytes.count {
                let piece = Array(bytes[i..<min(i + chunk, bytes.count)])
                let s = d.append(piece)
                XCTAssertFalse(s.unicodeScalars.contains("\u{FFFD}"), "chunk \(chunk) emitted a broken character")
                out += s
                i += chunk
            }
            out += d.flush()
            XCTAssertEqual(out, text)
        }
    }

    func testInvalidBytesBecomeReplacementCharacters() {
        var d = UTF8StreamDecoder()
        XCTAssertEqual(d.append([0xFF, 0x41]), "\u{FFFD}A")
        // A lone continuation byte can never complete: emitted at once, not held.
        XCTAssertEqual(d.append([0x80]), "\u{FFFD}")
        // E0 must be followed by A0...BF; E0 80 can never complete.
        XCTAssertEqual(d.append([0xE0, 0x80]), "\u{FFFD}\u{FFFD}")
        XCTAssertEqual(d.append([0xE6, 0x97]), "")
        XCTAssertTrue(d.hasPending)
        XCTAssertEqual(d.flush(), "\u{FFFD}")
        XCTAssertEqual(d.flush(), "")
    }

    func testTruncatedSequenceFollowedByAsciiIsNotHeldForever() {
        var d = UTF8StreamDecoder()
        XCTAssertEqual(d.append([0xE6]), "")
        XCTAssertEqual(d.append([0x41]), "\u{FFFD}A")
        XCTAssertFalse(d.hasPending)
    }
}
