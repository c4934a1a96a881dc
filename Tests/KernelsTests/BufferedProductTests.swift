import XCTest
@testable import Kernels
import TestSupport

/// The buffered prefill path of Q4_0/Q4_1/Q5_0/Q5_1 (ck_impl_qbuf.h, 5 tokens or more) at every
/// ISA level: against the reference, and bit-identical to one-token products, across its edges
/// (rows not a multiple of 4, rows longer than one 64-block chunk, more tokens than the 64 whose
/// sums it keeps at a time, token counts not a multiple of 4).
final class BufferedProductTests: XCTestCase {
    static let formats: [BlockFormat] = [.q4_0, .q4_1, .q5_0, .q5_1]

    override func tearDown() {
        Kernels.limitISA(99)
    }

    func levels() -> [Int] {
        Set((0...Kernels.bestISALevel).map { Kernels.limitISA($0) }).sorted().reversed()
    }

    func testAgainstReference() {
        for level in levels() {
            Kernels.limitISA(level)
            for f in Self.formats {
                for (rows, cols, n) in [(7, 2176, 8), (9, 96, 5), (5, 96, 13), (6, 64, 70)] {
                    if let failure = ProductCheck.mismatch(f, rows: rows, cols: cols, n: n, threads: 2,
                                                           seed: UInt64(f.rawValue) * 100 + UInt64(n)) {
                        XCTFail(failure)
                    }
                }
            }
        }
    }

    /// Speculative verification needs every row of a product of many tokens to equal the product
    /// of that token alone (LlamaModel+Verify.swift): the buffered path keeps the one-token order.
    func testManyTokensEqualOneTokenProducts() {
        for level in levels() {
            Kernels.limitISA(level)
            for f in Self.formats {
                var rng = SplitMix(seed: 7 + UInt64(f.rawValue))
                for (n, tokens) in [(69, [0, 3, 63, 64, 68]), (5, [0, 4]), (7, [3, 6])] {
                    let rows = 10, cols = 2112  // 66 blocks: two chunks; 69 tokens: two token groups
                    let bytes = RandomWeights.make(f, rows: rows, cols: cols, rng: &rng)
                    let x = (0..<(n * cols)).map { _ in rng.float(-1, 1) }
                    let pool = ThreadPool(threads: 2)
                    var all = [Float](repeating: .nan, count: n * rows)
                    var one = [Float](repeating: .nan, count: rows)
                    bytes.withUnsafeBytes { buf in
                        let w = WeightMatrix(format: f, rows: rows, cols: cols, data: buf.baseAddress!)
                        Kernels.matmul(w, x, n: n, &all, pool: pool)
                        for t in tokens {
                            x.withUnsafeBufferPointer { Kernels.matvec(w, $0.baseAddress! + t * cols, &one, pool: pool) }
                            XCTAssertEqual(one, Array(all[(t * rows)..<((t + 1) * rows)]), "\(f) isa \(Kernels.isaName) n \(n) token \(t)")
                        }
                    }
                }
            }
        }
    }
}
