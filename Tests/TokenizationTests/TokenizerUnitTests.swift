import Foundation
import GGUF
import Tokenization
import XCTest
import TestSupport

/// Small hand-made vocabularies: BPE merge order, special tokens, metadata errors.
final class TokenizerUnitTests: XCTestCase {
    /// Every byte as a token (GPT-2 byte spelling), then the merged tokens, then specials.
    private func tinyVocab(extra: [String], merges: [String], specials: [String] = [],
                           pre: String = "gpt2") throws -> Tokenizer {
        var tokens: [String] = []
        for b in 0..<256 { tokens.append(Self.byteChar(UInt8(b))) }
        tokens += extra
        let types = Array(repeating: 1, count: tokens.count) + Array(repeating: 3, count: specials.count)
        return try Tokenizer(tokens: tokens + specials, merges: merges, tokenTypes: types, pre: pre)
    }

    private static func byteChar(_ b: UInt8) -> String {
        let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
        if printable { return String(UnicodeScalar(b)) }
        let offset = (0..<Int(b)).filter { x in
            !((0x21...0x7E).contains(x) || (0xA1...0xAC).contains(x) || (0xAE...0xFF).contains(x))
        }.count
        return String(UnicodeScalar(UInt16(256 + offset)).map(Character.init) ?? "?")
    }

    func testMergesApplyByRankNotByPosition() throws {
        // "abc": rank 0 is "b c", so "bc" forms first and "a b" (rank 1) can no longer apply.
        let tok = try tinyVocab(extra: ["bc", "ab", "abc"], merges: ["b c", "a b"])
        XCTAssertEqual(tok.encode("abc", parseSpecial: false), [Int32(UInt8(ascii: "a")), 256])
    }

    func testEqualRankPairsMergeLeftmostFirst() throws {
        // "aaa" with merge "a a": GPT-2 merges left to right => "aa", "a".
        let tok = try tinyVocab(extra: ["aa"], merges: ["a a"])
        XCTAssertEqual(tok.encode("aaa", parseSpecial: false), [256, Int32(UInt8(ascii: "a"))])
        XCTAssertEqual(tok.encode("aaaa", parseSpecial: false), [256, 256])
    }

    func testChainedMerges() throws {
        let tok = try tinyVocab(extra: ["Ġt", "he", "Ġthe"], merges: ["Ġ t", "h e", "Ġt he"])
        XCTAssertEqual(tok.encode(" the", parseSpecial: false), [258])
        XCTAssertEqual(tok.decode([258]), " the")
    }

    func testLlamaBPETakesWholeWordTokensWithoutMerges() throws {
        // HF ignore_merges: "abc" is in the vocabulary, so it is one token although no merge
        // builds it; gpt2-style BPE only follows merges.
        let llama = try tinyVocab(extra: ["abc"], merges: [], pre: "llama-bpe")
        XCTAssertEqual(llama.encode("abc", parseSpecial: false), [256])
        let gpt2 = try tinyVocab(extra: ["abc"], merges: [])
        XCTAssertEqual(gpt2.encode("abc", parseSpecial: false), [97, 98, 99])
    }

    func testLongestSpecialWins() throws {
        let tok = try tinyVocab(extra: [], merges: [], specials: ["<s>", "<s>x"])
        XCTAssertEqual(tok.encode("a<s>xb", parseSpecial: true), [97, 257, 98])
        XCTAssertEqual(tok.encode("<s>", parseSpecial: true), [256])
        XCTAssertEqual(tok.encode("<s>", parseSpecial: false), [60, 115, 62])
        XCTAssertEqual(tok.decode([256, 97]), "<s>a")
    }

    func testUnsupportedPreTokenizerAndModelAreClearErrors() throws {
        XCTAssertThrowsError(try Tokenizer(tokens: ["a"], merges: [], tokenTypes: [], pre: "falcon")) { error in
            XCTAssertEqual(error as? TokenizationError, .unsupportedPreTokenizer("falcon"))
            XCTAssertEqual("\(error)", "unsupported pre-tokenizer 'falcon' (tokenizer.ggml.pre); "
                           + "supported: smollm, qwen2, llama-bpe, gpt2")
        }
        XCTAssertThrowsError(try Tokenizer(tokens: ["a", "b"], merges: [], tokenTypes: [1], pre: nil)) { error in
            guard case .invalidVocabulary? = error as? TokenizationError else { return XCTFail("\(error)") }
        }
        let path = try writeGGUF(["tokenizer.ggml.model": .string("bert"),
                                  "tokenizer.ggml.tokens": .array([.string("a")]),
                                  "tokenizer.ggml.merges": .array([])])
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try Tokenizer(gguf: GGUFFile(path: path))) { error in
            XCTAssertEqual(error as? TokenizationError, .unsupportedModel("bert"))
            XCTAssertTrue("\(error)".contains("'gpt2' (byte-level BPE), 'llama' (SentencePiece)"), "\(error)")
        }
    }

    func testUserDefinedTokensMatchEvenWithoutSpecialParsing() throws {
        // llama.cpp and HF match user-defined (added, non-special) tokens in all text; control
        // tokens only when asked. Ids: 256 "<ctl>" control, 257 "<ud>" user-defined.
        var tokens = (0..<256).map { Self.byteChar(UInt8($0)) }
        tokens += ["<ctl>", "<ud>"]
        let types = Array(repeating: 1, count: 256) + [3, 4]
        let tok = try Tokenizer(tokens: tokens, merges: [], tokenTypes: types, pre: "gpt2")
        XCTAssertEqual(tok.encode("a<ud>b", parseSpecial: false), [97, 257, 98])
        XCTAssertEqual(tok.encode("<ctl>", parseSpecial: false), [60, 99, 116, 108, 62])
        XCTAssertEqual(tok.encode("<ctl><ud>", parseSpecial: true), [256, 257])
        XCTAssertEqual(try tok.encode(pieces: [.text("<ctl><ud>")]), [60, 99, 116, 108, 62, 257])
    }

    func testQwen2PreTokenizerSplitsSingleDigits() {
        XCTAssertEqual(PreTokenizer.qwen2.pieces("x 1234"), ["x", " ", "1", "2", "3", "4"])
        XCTAssertEqual(PreTokenizer.llamaBPE.pieces("x 1234"), ["x", " ", "123", "4"])
        XCTAssertEqual(PreTokenizer.named("gpt-2"), .gpt2)
        XCTAssertNil(PreTokenizer.named("default"))
    }

    func testGGUFWithoutTokensNamesTheKey() throws {
        let path = try writeGGUF(["tokenizer.ggml.model": .string("gpt2")])
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try Tokenizer(gguf: GGUFFile(path: path))) { error in
            XCTAssertTrue("\(error)".contains("tokenizer.ggml.tokens"), "\(error)")
        }
    }

    private func writeGGUF(_ metadata: [String: GGUFValue]) throws -> String {
        var w = GGUFWriter()
        w.set("general.architecture", .string("llama"))
        for (k, v) in metadata.sorted(by: { $0.key < $1.key }) { w.set(k, v) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kvserve-tok-\(UUID()).gguf").path
        try w.write(to: path)
        return path
    }
}
