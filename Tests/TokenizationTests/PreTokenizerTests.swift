import Tokenization
import XCTest

/// Hand-worked splits of the gpt2 pattern; the model fixtures check the same rules at scale.
final class PreTokenizerTests: XCTestCase {
    private func pieces(_ text: String, _ pre: PreTokenizer) -> [String] {
        pre.pieces(text)
    }

    func testGPT2Pattern() {
        XCTAssertEqual(pieces("Hello world", .gpt2), ["Hello", " world"])
        XCTAssertEqual(pieces("I'm here, they'll", .gpt2), ["I", "'m", " here", ",", " they", "'ll"])
        XCTAssertEqual(pieces("a  b", .gpt2), ["a", " ", " b"])
        XCTAssertEqual(pieces("a\t b", .gpt2), ["a", "\t", " b"])
        XCTAssertEqual(pieces("a \tb", .gpt2), ["a", " ", "\t", "b"])
        XCTAssertEqual(pieces("end   ", .gpt2), ["end", "   "])
        XCTAssertEqual(pieces("x 123", .gpt2), ["x", " 123"])
        XCTAssertEqual(pieces("!!'s ok", .gpt2), ["!!'", "s", " ok"])
        XCTAssertEqual(pieces("'S", .gpt2), ["'", "S"])
        XCTAssertEqual(pieces("\n\nfoo", .gpt2), ["\n", "\n", "foo"])
        XCTAssertEqual(pieces("", .gpt2), [])
    }

    func testSmolLMSplitsEveryDigit() {
        XCTAssertEqual(pieces("x 123", .smollm), ["x", " ", "1", "2", "3"])
        XCTAssertEqual(pieces("v2.0", .smollm), ["v", "2", ".", "0"])
        XCTAssertEqual(pieces("½ and ٣", .smollm), ["½", " and", " ", "٣"])
    }

    func testUnicodeClasses() {
        // NBSP is \s; U+200B is not (it is a format character, so it joins "other").
        XCTAssertEqual(pieces("a\u{00A0}b", .gpt2), ["a", "\u{00A0}", "b"])
        XCTAssertEqual(pieces("日本 語", .gpt2), ["日本", " 語"])
        XCTAssertEqual(pieces("e\u{301}", .gpt2), ["e", "\u{301}"])
    }
}

/// Pieces must equal the tokenizers library's regex engine on every fixture string.
final class PreTokenizerFixtureTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let text: String
            let gpt2: [String]
            let smollm: [String]
            let llamaBPE: [String]
            let qwen2: [String]

            enum CodingKeys: String, CodingKey {
                case text, gpt2, smollm, qwen2
                case llamaBPE = "llama-bpe"
            }
        }
        let cases: [Case]
    }

    func testPiecesMatchReference() throws {
        let fixture = try TestSupport.fixture("pieces.json", as: Fixture.self)
        XCTAssertGreaterThan(fixture.cases.count, 90)
        for c in fixture.cases {
            let label = c.text.debugDescription
            XCTAssertEqual(PreTokenizer.gpt2.pieces(c.text), c.gpt2, "gpt2 \(label)")
            XCTAssertEqual(PreTokenizer.smollm.pieces(c.text), c.smollm, "smollm \(label)")
            XCTAssertEqual(PreTokenizer.llamaBPE.pieces(c.text), c.llamaBPE, "llama-bpe \(label)")
            XCTAssertEqual(PreTokenizer.qwen2.pieces(c.text), c.qwen2, "qwen2 \(label)")
        }
    }
}
