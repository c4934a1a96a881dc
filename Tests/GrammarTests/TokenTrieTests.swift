import XCTest
@testable import Grammar
import TestSupport

/// The trie walk finds exactly the tokens a brute-force check of every token finds, and
/// tokens drawn at random from it always build documents that parse and validate.
final class TokenTrieTests: XCTestCase {
    /// Every single byte plus random strings over JSON-ish characters, a few duplicates, two
    /// unusable tokens (nil, empty) and one end-of-generation token (the last id).
    static func vocabulary(seed: UInt64) -> [[UInt8]?] {
        var rng = SplitMix(seed: seed)
        let alphabet = Array("{}[]\":, \n\tabcnulrtefs0123456789-.eE+\\u".utf8) + [0xC3, 0xA9, 0xE4, 0xB8, 0xAD]
        var tokens: [[UInt8]?] = (0...255).map { [UInt8($0)] }
        for _ in 0..<1500 {
            let length = 2 + Int(rng.next() % 6)
            tokens.append((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
        }
        tokens += [Array("\"name\":".utf8), Array("\"name\":".utf8), nil, [], Array("<eos>".utf8)]
        return tokens
    }

    let schemas: [SchemaValue] = [
        ["type": "object", "properties": ["name": ["type": "string", "maxLength": 8], "n": ["type": "integer"],
                                          "ok": ["type": "boolean"], "xs": ["type": "array", "items": ["type": "number"], "maxItems": 3]],
         "required": ["name", "n"]],
        ["anyOf": [["type": "null"], ["enum": ["a", "bc"]], ["type": "array", "items": ["type": "string", "maxLength": 4], "maxItems": 2]]],
        ["type": "object", "additionalProperties": ["type": "integer"], "properties": ["name": ["const": 1]]],
    ]

    func testWalkEqualsBruteForce() throws {
        let vocab = Self.vocabulary(seed: 1)
        let eos = Int32(vocab.count - 1)
        let trie = TokenTrie(tokenBytes: vocab, endOfGeneration: [eos])
        let prefixes = ["", "{", "{\"", "{\"name\":\"ab", "{\"name\":\"\",\"n\":1", "[", "[\"ab\",", "nul", "{\"na",
                        "{\"name\":1,\"x"]
        for schema in schemas {
            let compiled = try CompiledSchema.compile(schema)
            for prefix in prefixes {
                guard let state = JSONMatcher(schema: compiled).fed(Array(prefix.utf8)) else { continue }
                var expected: [Int32] = vocab.indices.filter { id in
                    guard Int32(id) != eos, let bytes = vocab[id], !bytes.isEmpty else { return false }
                    return state.fed(bytes) != nil
                }.map { Int32($0) }
                if state.isComplete { expected.append(eos) }
                XCTAssertEqual(trie.allowedTokens(state).sorted(), expected.sorted(), "after \(prefix)")
            }
        }
    }

    func testRandomTokenWalksGiveValidDocuments() throws {
        let vocab = Self.vocabulary(seed: 2)
        let eos = Int32(vocab.count - 1)
        let trie = TokenTrie(tokenBytes: vocab, endOfGeneration: [eos])
        var rng = SplitMix(seed: 9)
        for schema in schemas + [MatcherTests.person] {
            let compiled = try CompiledSchema.compile(schema)
            var finished = 0
            for _ in 0..<16 {
                let constraint = JSONConstraint(schema: compiled, trie: trie, tokenBytes: { vocab[Int($0)] ?? [] })
                var text: [UInt8] = []
                var ended = false
                for _ in 0..<200 where !ended {
                    if constraint.mustEnd { ended = true; break }
                    let allowed = constraint.allowedTokens()
                    XCTAssertFalse(allowed.isEmpty, "a live state always has a next token")
                    // Prefer ending when possible so most walks finish within the budget.
                    let token = allowed.contains(eos) && rng.next() % 3 == 0 ? eos : allowed[Int(rng.next() % UInt64(allowed.count))]
                    XCTAssertTrue(constraint.allows(token))
                    XCTAssertTrue(constraint.advance(token))
                    if token == eos { ended = true } else { text += vocab[Int(token)] ?? [] }
                }
                guard ended else { continue }
                finished += 1
                let value = try TestJSON.parse(text)
                XCTAssertNil(TestValidator(root: schema).violation(value), String(decoding: text, as: UTF8.self))
            }
            XCTAssertGreaterThan(finished, 8, "most random walks end")
        }
    }
}

