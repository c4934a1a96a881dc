import Tokenization
import XCTest

/// Ids must equal llama.cpp's on the same GGUF exactly (fixtures from
/// scripts/fixtures/make_tokenizer_fixtures.py): tokenization has no tolerance.
final class TokenizerFixtureTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let text: String
            /// Control tokens in the text parsed (llama.cpp parse_special = true).
            let special: [Int32]
            /// Not parsed (parse_special = false); user-defined tokens still match.
            let plain: [Int32]
            /// `special` plus the file's BOS / EOS (add_special = true).
            let added: [Int32]
            /// llama.cpp's detokenization of `special`, special tokens printed.
            let decoded: String
        }
        let n_vocab: Int
        let bos: Int32
        let eos: Int32
        let add_bos: Bool
        let add_eos: Bool
        let eog: [Int32]
        let cases: [Case]
    }

    func testSmolLM2MatchesLlamaCpp() throws { try check(.smollm2) }
    func testQwen25MatchesLlamaCpp() throws { try check(.qwen) }
    func testGemma3MatchesLlamaCpp() throws { try check(.gemma) }

    func testVocabularyKinds() throws {
        XCTAssertEqual(try TestSupport.model(.smollm2).1.model, .bytePairEncoding(.smollm))
        XCTAssertEqual(try TestSupport.model(.qwen).1.model, .bytePairEncoding(.qwen2))
        let gemma = try TestSupport.model(.gemma).1
        XCTAssertEqual(gemma.model, .sentencePiece)
        XCTAssertNil(gemma.preTokenizer)
        XCTAssertFalse(gemma.addSpacePrefix)
        XCTAssertEqual(gemma.specialID("<start_of_turn>"), 105)
        XCTAssertEqual(gemma.specialID("<end_of_turn>"), 106)
        XCTAssertTrue(gemma.isEndOfGeneration(106))
        XCTAssertEqual(gemma.tokenType(107), .userDefined)   // "\n"
        XCTAssertEqual(gemma.tokenType(248), .byte)          // <0x0A>
        XCTAssertEqual(gemma.tokenBytes(248), [0x0A])
    }

    private func check(_ m: TestSupport.Model, file: StaticString = #filePath, line: UInt = #line) throws {
        let (_, tok) = try TestSupport.model(m)
        let fixture = try TestSupport.fixture(m.fixtureName, as: Fixture.self)
        XCTAssertGreaterThanOrEqual(fixture.cases.count, 50, file: file, line: line)
        XCTAssertEqual(tok.vocabSize, fixture.n_vocab, file: file, line: line)
        XCTAssertEqual(tok.bosID, fixture.bos, file: file, line: line)
        XCTAssertEqual(tok.eosID, fixture.eos, file: file, line: line)
        XCTAssertEqual(tok.addBOS, fixture.add_bos, file: file, line: line)
        XCTAssertEqual(tok.addEOS, fixture.add_eos, file: file, line: line)
        // llama.cpp's set, except a token spelled "</s>" that is not eos (see EndOfGeneration:
        // the HTML strikethrough tag in Qwen's and Gemma's vocabularies).
        let htmlTag = Set(fixture.eog.filter { tok.tokenString($0) == "</s>" && $0 != fixture.eos })
        XCTAssertEqual(tok.endOfGenerationIDs, Set(fixture.eog).subtracting(htmlTag), file: file, line: line)
        XCTAssertEqual(htmlTag, [.qwen: [128247], .gemma: [212]][m] ?? [], file: file, line: line)
        var failures = 0
        func expect(_ got: [Int32], _ want: [Int32], _ what: String, _ text: String) {
            guard got != want else { return }
            failures += 1
            XCTFail("\(m) \(what) \(text.debugDescription):\n got  \(got)\n want \(want)", file: file, line: line)
        }
        for c in fixture.cases where failures < 10 {
            expect(tok.encode(c.text, parseSpecial: true), c.special, "special", c.text)
            expect(tok.encode(c.text, parseSpecial: false), c.plain, "plain", c.text)
            expect(tok.encode(c.text, parseSpecial: true, addSpecial: true), c.added, "added", c.text)
            // SentencePiece cannot round-trip a literal "▁" (U+2581): it is how the vocabulary
            // spells a space, so it decodes as one (llama.cpp's `decoded` says the same).
            let text = tok.model == .sentencePiece ? c.text.replacingOccurrences(of: "\u{2581}", with: " ") : c.text
            XCTAssertEqual(tok.decode(c.special), text, "\(m) round trip", file: file, line: line)
            XCTAssertEqual(tok.decode(c.plain), text, "\(m) round trip (plain)", file: file, line: line)
            XCTAssertEqual(tok.decode(c.special), c.decoded, "\(m) llama.cpp detokenize", file: file, line: line)
        }
    }
}
