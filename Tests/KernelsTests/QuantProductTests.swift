import XCTest
@testable import Kernels

/// The C kernels for Q5_0, Q5_1 and the K-quants against the dequantize-and-dot reference, at every
/// ISA level this CPU runs: odd row counts (the 4-row groups' edge), token counts on both sides of
/// the K-quant decode path's limit (2) and of the 4-token groups, and K rows longer than one
/// unpacked chunk (8 super-blocks = 2048 columns) or than the decode path takes (20480 columns).
final class QuantProductTests: XCTestCase {
    static let formats: [BlockFormat] = [.q5_0, .q5_1, .q4_K, .q5_K, .q6_K]

    override func tearDown() {
        Kernels.limitISA(99)
    }

    func levels() -> [Int] {
        let best = Kernels.bestISALevel
        return Set((0...best).map { Kernels.limitISA($0) }).sorted().reversed()
    }

    func testEveryLevelShapesAndTokenCounts() {
        for level in levels() {
            Kernels.limitISA(level)
            for f in Self.formats {
                let cols = f.blockElements == 256 ? 768 : 96
                for (rows, n) in [(1, 1), (7, 1), (11, 2), (13, 3), (9, 4), (22, 5), (5, 9)] {
                    if let failure = ProductCheck.mismatch(f, rows: rows, cols: cols, n: n, threads: 2,
                                                           seed: UInt64(f.rawValue) * 1000 + UInt64(rows * 10 + n)) {
                        XCTFail(failure)
                    }
                }
            }
        }
    }

    func testRowsLongerThanOneChunk() {
        for level in levels() {
            Kernels.limitISA(level)
            for f in [BlockFormat.q4_K, .q5_K, .q6_K] {
                for (rows, cols, n) in [(10, 2304, 1), (10, 2304, 6), (3, 20736, 1)] {
                    if let failure = ProductCheck.mismatch(f, rows: rows, cols: cols, n: n, threads: 2,
                                                           seed: UInt64(f.rawValue) + UInt64(n)) {
                        XCTFail(failure)
                    }
                }
            }
        }
    }

    /// Every quant at its smallest or largest value against activations all +max or -max: the
    /// int16 partial sums of the AVX2 paths (4 pieces of maddubs; Q6_K with xq + 128) must not
    /// saturate, on the decode and the buffered paths (K-quants from 3 tokens, the 32-element
    /// formats from 5).
    func testExtremeQuantsAndActivations() {
        for level in levels() {
            Kernels.limitISA(level)
            for f in Self.formats + [.q4_0, .q4_1, .q8_0] {
                let cols = f.blockElements == 256 ? 512 : 64
                for extreme in [(UInt8(0x00), Float(2)), (0x00, -2), (0xFF, 2), (0xFF, -2)] {
                    for n in [1, 2, 3, 4, 8, 9] {
                        if let failure = ProductCheck.mismatch(f, rows: 5, cols: cols, n: n, threads: 1, seed: 3,
                                                               extreme: extreme) {
                            XCTFail("\(failure) (fill \(extreme.0), x \(extreme.1))")
                        }
                    }
                }
            }
        }
    }

    /// The descriptions name the C kernel for every quantized format, the fallback otherwise.
    func testNewFormatsUseCKernels() throws {
        try XCTSkipIf(Kernels.bestISALevel == 0, "no C kernel variant on this CPU")
        for f in Self.formats {
            XCTAssertEqual(Kernels.kernelDescription(for: f), "\(f) x q8, \(Kernels.isaName)")
        }
        XCTAssertEqual(Kernels.kernelDescription(for: .f16), "f16 x f32, \(Kernels.isaName)")
        XCTAssertEqual(Kernels.kernelDescription(for: .bf16), "bf16: swift fallback (slow)")
        Kernels.limitISA(0)
        XCTAssertEqual(Kernels.kernelDescription(for: .q4_K), "q4_K: swift fallback (slow)")
    }
}
