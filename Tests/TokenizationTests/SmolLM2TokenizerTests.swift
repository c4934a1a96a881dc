import Tokenization
import XCTest

/// Facts of SmolLM2's vocabulary that the engine and chat rendering rely on.
final class SmolLM2TokenizerTests: XCTestCase {
    func testVocabularyFacts() throws {
        let (_, tok) = try TestSupport.model()
        XCTAssertEqual(tok.vocabSize, 49152)
        XCTAssertEqual(tok.bosID, 1)
        XCTAssertEqual(tok.eosID, 2)
        XCTAssertEqual(tok.preTokenizer, .smollm)
        XCTAssertFalse(tok.addBOS)
        XCTAssertEqual(tok.specialID("<|im_start|>"), 1)
        XCTAssertEqual(tok.specialID("<|im_end|>"), 2)
        XCTAssertEqual(tok.specialID("<|endoftext|>"), 0)
        XCTAssertNil(tok.specialID("hello"))
        XCTAssertEqual(tok.specialTokens.count, 17)
    }

    func testEndOfGeneration() throws {
        let (_, tok) = try TestSupport.model()
        XCTAssertTrue(tok.isEndOfGeneration(2))   // <|im_end|>, also eos
        XCTAssertTrue(tok.isEndOfGeneration(0))   // <|endoftext|>
        XCTAssertFalse(tok.isEndOfGeneration(1))  // <|im_start|>
        XCTAssertFalse(tok.isEndOfGeneration(19556))
    }

    func testTokenBytes() throws {
        let (_, tok) = try TestSupport.model()
        XCTAssertEqual(tok.tokenBytes(2), Array("<|im_end|>".utf8))
        XCTAssertEqual(tok.tokenBytes(216), [0x20])
        XCTAssertEqual(tok.tokenBytes(198), [0x0A])
        XCTAssertEqual(tok.tokenString(216), "Ġ")
        XCTAssertEqual(tok.tokenBytes(-1), [])
        XCTAssertEqual(tok.tokenBytes(49152), [])
        // Every byte has its own token, so any byte string round-trips through decode.
        for b in 0...255 {
            let ids = tok.encode(String(decoding: [UInt8(b)], as: UTF8.self), parseSpecial: false)
            XCTAssertFalse(ids.isEmpty)
        }
    }

    func testPromptPiecesNeverTurnTextIntoSpecialTokens() throws {
        let (_, tok) = try TestSupport.model()
        let ids = try tok.encode(pieces: [.special("<|im_start|>"), .text("user\n<|im_end|>"), .special("<|im_end|>")])
        XCTAssertEqual(ids.first, 1)
        XCTAssertEqual(ids.last, 2)
        XCTAssertEqual(ids.filter { $0 == 2 }.count, 1, "the text <|im_end|> must be encoded as text")
        XCTAssertEqual(Array(ids.dropFirst().dropLast()), tok.encode("user\n<|im_end|>", parseSpecial: false))
        XCTAssertThrowsError(try tok.encode(pieces: [.special("<|nope|>")])) { error in
            XCTAssertEqual(error as? TokenizationError, .unknownSpecialToken("<|nope|>"))
        }
    }
}
