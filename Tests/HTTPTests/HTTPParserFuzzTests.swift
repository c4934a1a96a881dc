import XCTest
@testable import HTTP
import TestSupport

/// Generative fuzz of the request parser: 200,000 inputs (mutated valid requests plus pure
/// random bytes), each parsed whole and again split at 1-3 random points. Asserts no crash,
/// no hang (every feed returns; a bounded number of feeds per input), and identical results.
final class HTTPParserFuzzTests: XCTestCase {
    static let inputCount = 200_000

    static let seeds: [[UInt8]] = [
        "GET /health HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /x?y=1&z=%20 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "POST /generate HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"prompt\":\"\"}",
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n5\r\npedia\r\n0\r\nT: v\r\n\r\n",
        "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
        "\r\nDELETE /sessions/abc HTTP/1.1\r\nhost: a\r\nX: \t v \t\r\n\r\n",
    ].map { Array($0.utf8) }

    /// Bytes that sit on framing boundaries, so mutations hit interesting states often.
    static let interesting: [UInt8] = Array("\r\n :;\t0fF9-+,=/?%".utf8) + [0, 0x7F, 0x80, 0xFF]

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            let byte = Bool.random(using: &rng) ? interesting.randomElement(using: &rng) ?? 0
                                                : UInt8.random(in: 0...255, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[position] = byte
            case 1: bytes.insert(byte, at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            case 3: bytes = Array(bytes[..<position])
            case 4:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &rng))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default: bytes += seeds.randomElement(using: &rng) ?? []
            }
        }
        return bytes
    }

    static func makeInput(_ rng: inout SplitMix) -> [UInt8] {
        if Int.random(in: 0..<10, using: &rng) == 0 {
            return (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        return mutate(seeds.randomElement(using: &rng) ?? [], &rng)
    }

    /// Every non-needMore result, in order, feeding `pieces` one after another.
    static func results(_ pieces: [ArraySlice<UInt8>]) -> [HTTPParser.ParseResult] {
        // Small limits so 431 and 413 are reachable by short inputs.
        var parser = HTTPParser(maxHeaderBytes: 300, maxBodyBytes: 64)
        var out: [HTTPParser.ParseResult] = []
        for piece in pieces {
            var result = parser.feed(Array(piece))
            // Each request consumes bytes, so this loop ends within input-length iterations.
            var guardCount = 0
            while case .request = result, guardCount <= 10_000 {
                out.append(result)
                result = parser.feed([])
                guardCount += 1
            }
            if case .reject = result {
                out.append(result)
                return out
            }
        }
        return out
    }

    func testTwoHundredThousandInputsNeverCrashAndSplitEqualsWhole() {
        var rng = SplitMix(seed: 0x6B76_7365_7276_6521)
        var requests = 0, rejects = 0
        for index in 0..<Self.inputCount {
            let input = Self.makeInput(&rng)
            let whole = Self.results([input[...]])
            var cuts = (0..<Int.random(in: 1...3, using: &rng)).map { _ in Int.random(in: 0...input.count, using: &rng) }
            cuts = ([0] + cuts.sorted() + [input.count])
            let pieces = zip(cuts, cuts.dropFirst()).map { input[$0..<$1] }
            let split = Self.results(pieces)
            if whole != split {
                XCTFail("input \(index) \(Array(input)) cuts \(cuts): whole \(whole) vs split \(split)")
                return
            }
            for result in whole {
                if case .request = result { requests += 1 } else { rejects += 1 }
            }
        }
        // The corpus must exercise both outcomes, or the test proves little.
        XCTAssertGreaterThan(requests, Self.inputCount / 10)
        XCTAssertGreaterThan(rejects, Self.inputCount / 10)
    }
}
