import Tokenization
import XCTest

/// SentencePiece on hand-made vocabularies: score order, byte fallback, space handling.
final class SentencePieceUnitTests: XCTestCase {
    /// ids 0 <unk>, 1 <s>, 2 </s> (control), 3... byte tokens <0x00>..<0xFF>, then `pieces`.
    private func vocab(_ pieces: [(String, Float)], userDefined: [String] = [],
                       spacePrefix: Bool = false) throws -> Tokenizer {
        var tokens = ["<unk>", "<s>", "</s>"]
        var types = [2, 3, 3]
        for b in 0..<256 {
            tokens.append(String(format: "<0x%02X>", b))
            types.append(6)
        }
        tokens += pieces.map(\.0) + userDefined
        types += Array(repeating: 1, count: pieces.count) + Array(repeating: 4, count: userDefined.count)
        let scores = Array(repeating: Float(0), count: 259) + pieces.map(\.1) + Array(repeating: 0, count: userDefined.count)
        return try Tokenizer(sentencePieceTokens: tokens, scores: scores, tokenTypes: types,
                             bosID: 1, eosID: 2, unknownID: 0, addSpacePrefix: spacePrefix)
    }

    private let first = Int32(259)

    func testHighestScoreMergesFirst() throws {
        // "abc": "bc" (score -1) beats "ab" (-2); "a"+"bc" is no token, so it stays two.
        let tok = try vocab([("a", -10), ("b", -10), ("c", -10), ("ab", -2), ("bc", -1)])
        XCTAssertEqual(tok.encode("abc", parseSpecial: false), [first, first + 4])
        XCTAssertEqual(tok.decode([first, first + 4]), "abc")
    }

    func testEqualScoresMergeLeftmostFirst() throws {
        let tok = try vocab([("a", -10), ("aa", -1)])
        XCTAssertEqual(tok.encode("aaa", parseSpecial: false), [first + 1, first])
    }

    func testUnknownCharactersFallBackToBytes() throws {
        let tok = try vocab([("a", -1)])
        // "é" is C3 A9: two byte tokens; they decode back to the character.
        let ids = tok.encode("aé", parseSpecial: false)
        XCTAssertEqual(ids, [first, 3 + 0xC3, 3 + 0xA9])
        XCTAssertEqual(tok.decode(ids), "aé")
    }

    func testSpacesBecomeLowLineAndPrefixFollowsSpecials() throws {
        let tok = try vocab([("▁", -3), ("a", -3), ("▁a", -1)], spacePrefix: true)
        // Prefix at the start and after a control token, as llama.cpp adds it.
        XCTAssertEqual(tok.encode("a a", parseSpecial: false), [first + 2, first + 2])
        XCTAssertEqual(tok.encode("a</s>a", parseSpecial: true), [first + 2, 2, first + 2])
        XCTAssertEqual(tok.decode([first + 2, first + 2]), "a a")
        XCTAssertEqual(tok.encode("x", parseSpecial: false, addSpecial: true), [1, first, 3 + 0x78])
    }

    func testUserDefinedTokensSplitTheText() throws {
        let tok = try vocab([("a", -1)], userDefined: ["\n", "  "])
        let ud = first + 1
        XCTAssertEqual(tok.encode("a\na", parseSpecial: false), [first, ud, first])
        XCTAssertEqual(tok.encode("a  a", parseSpecial: false), [first, ud + 1, first])
        XCTAssertEqual(tok.decode([first, ud + 1, first]), "a  a")
    }

    func testMismatchedScoresAreAClearError() {
        XCTAssertThrowsError(try Tokenizer(sentencePieceTokens: ["a", "b"], scores: [0], tokenTypes: [])) { error in
            guard case .invalidVocabulary? = error as? TokenizationError else { return XCTFail("\(error)") }
        }
    }
}
