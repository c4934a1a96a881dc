import Foundation
import GGUF
import Tokenization
import XCTest

/// Load time and encode throughput of each test model's tokenizer, printed for the record
/// (`swift test -c release --filter TokenizerSpeedTests`). The bounds are loose (a shared,
/// loaded CI machine) but catch what matters: a quadratic merge or a load that rebuilds
/// Strings per merge takes many times longer.
final class TokenizerSpeedTests: XCTestCase {
    func testSmolLM2() throws { try measure(.smollm2) }
    func testQwen25() throws { try measure(.qwen) }
    func testGemma3() throws { try measure(.gemma) }

    /// Repository text: English comments, Swift code, Markdown, plus the fixtures' unicode.
    private static let corpus: String = {
        // Tests/Fixtures/tokenizer -> repository root.
        let root = TestSupport.fixturesDir.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var text = ""
        let dirs = ["Sources/Tokenization", "Sources/HTTP", "Sources/GGUF", "Sources/Generation", "Sources/Llama"]
        for dir in dirs {
            let url = root.appendingPathComponent(dir)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".swift") {
                text += (try? String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)) ?? ""
            }
        }
        if let data = try? Data(contentsOf: TestSupport.fixturesDir.appendingPathComponent("gemma3.json")) {
            text += String(decoding: data, as: UTF8.self)
        }
        return text
    }()

    private func measure(_ m: TestSupport.Model) throws {
        _ = try TestSupport.model(m)  // fails clearly if the file is missing
        let opened = Date()
        let file = try GGUFFile(path: m.path)
        let parse = Date().timeIntervalSince(opened)
        let start = Date()
        let tok = try Tokenizer(gguf: file)
        let load = Date().timeIntervalSince(start)

        let text = Self.corpus
        let bytes = text.utf8.count
        XCTAssertGreaterThan(bytes, 100_000)
        let t0 = Date()
        let ids = tok.encode(text, parseSpecial: false)
        let cold = Date().timeIntervalSince(t0)
        let t1 = Date()
        _ = tok.encode(text, parseSpecial: false)
        let warm = Date().timeIntervalSince(t1)
        // The fixture JSON holds a literal "▁", which SentencePiece reads as a space.
        XCTAssertEqual(tok.decode(ids), m == .gemma ? text.replacingOccurrences(of: "\u{2581}", with: " ") : text)
        print("tokenizer \(m.rawValue): " + String(format: "GGUF metadata %.0f ms, Tokenizer(gguf:) %.0f ms (%d tokens); " +
                     "encode %d bytes -> %d tokens: " +
                     "first %.1f ms (%.1f MB/s, %.0f k tokens/s), again %.1f ms (%.1f MB/s)",
                     parse * 1000, load * 1000, tok.vocabSize, bytes, ids.count,
                     cold * 1000, Double(bytes) / cold / 1e6, Double(ids.count) / cold / 1000,
                     warm * 1000, Double(bytes) / warm / 1e6))
        XCTAssertLessThan(load, 5)
        XCTAssertLessThan(cold, 5)
    }

    func testLongInputsStayFast() throws {
        for m in TestSupport.Model.allCases {
            let (_, tok) = try TestSupport.model(m)
            // Long runs defeat the word cache and give SentencePiece one 40k-symbol fragment;
            // heap merging keeps them near-linear.
            let text = String(repeating: "a", count: 20_000) + String(repeating: " ", count: 20_000) + "end"
            let start = Date()
            let ids = tok.encode(text, parseSpecial: true)
            // The fixture JSON holds a literal "▁", which SentencePiece reads as a space.
        XCTAssertEqual(tok.decode(ids), m == .gemma ? text.replacingOccurrences(of: "\u{2581}", with: " ") : text)
            // Generous bound (shared, loaded CI machine): quadratic merging would take minutes.
            XCTAssertLessThan(Date().timeIntervalSince(start), 10, "\(m)")
        }
    }
}
