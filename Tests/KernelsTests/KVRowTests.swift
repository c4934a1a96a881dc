import Foundation
import XCTest
@testable import Kernels
import TestSupport

/// KV cache row formats: stored bytes against numpy / gguf-py (fixtures from
/// scripts/fixtures/make_kv_fixtures.py), attention loops against float64 sums over the
/// reference's dequantized rows, and the C kernels against the Swift fallback.
final class KVRowTests: XCTestCase {
    struct Attention: Decodable {
        struct Expected: Decodable {
            let scores: [Double]
            let weighted_sum: [Double]
        }
        let rows: Int, width: Int, head_dim: Int, head: Int
        let scale: Float
        let q: [Float], w: [Float]
        let formats: [String: Expected]
    }

    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/kv")

    private func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Self.dir.appendingPathComponent(name)))
    }

    private func rows() throws -> [Float] {
        try fixture("rows.f32").withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// Stores every fixture row in `format` with `store` and returns the bytes.
    private func stored(_ format: BlockFormat, _ x: [Float], width: Int,
                        store: (UnsafePointer<Float>, UnsafeMutableRawPointer) -> Void) -> [UInt8] {
        let rowBytes = format.byteCount(elements: width)
        var out = [UInt8](repeating: 0, count: x.count / width * rowBytes)
        x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBytes { raw in
                for r in 0..<(x.count / width) { store(xs.baseAddress! + r * width, raw.baseAddress! + r * rowBytes) }
            }
        }
        return out
    }

    // f16 is IEEE rounding (exact match). gguf-py's q8_0 rounds halves away from zero, we (as
    // ggml's AVX2 path) to even; random values never land on a half, so bytes match exactly.
    func testStoredBytesMatchNumpyAndGGUFPy() throws {
        let x = try rows()
        for (format, file) in [(BlockFormat.f16, "f16.bin"), (.q8_0, "q8_0.bin")] {
            let want = try fixture(file)
            let c = stored(format, x, width: 192) { Kernels.storeKVRow(format, $0, into: $1, n: 192) }
            let swift = stored(format, x, width: 192) { KVRowsSwift.store(format, $0, into: $1, n: 192) }
            XCTAssertEqual(c, want, "\(format): kernel vs reference")
            XCTAssertEqual(swift, want, "\(format): Swift fallback vs reference")
        }
    }

    func testLoadInvertsTheReferenceLayout() throws {
        let x = try rows()
        for (format, file) in [(BlockFormat.f16, "f16.bin"), (.q8_0, "q8_0.bin")] {
            let bytes = try fixture(file)
            let rowBytes = format.byteCount(elements: 192)
            var c = [Float](repeating: 0, count: 192), s = c
            for r in 0..<16 {
                bytes.withUnsafeBytes { raw in
                    Kernels.loadKVRow(format, raw.baseAddress! + r * rowBytes, into: &c, n: 192)
                    KVRowsSwift.load(format, raw.baseAddress! + r * rowBytes, into: &s, n: 192)
                }
                XCTAssertEqual(c, s, "\(format) row \(r): kernel vs Swift")
                // Bounds from the formats. f16: relative 2^-11, absolute 2^-25 below the normal
                // range. q8_0: half a step d = max|block| / 127, plus the half-rounded d's own
                // error (relative 2^-11) times |q| <= 127.
                for i in 0..<192 {
                    let block = x[(r * 192 + i / 32 * 32)..<(r * 192 + i / 32 * 32 + 32)].map(abs).max() ?? 0
                    let f16Bound = max(abs(x[r * 192 + i]) / 2048, 1.0 / 33_554_432)
                    let bound = format == .f16 ? f16Bound : block / 127 * (0.5 + 127.0 / 2048) * 1.001
                    XCTAssertLessThanOrEqual(abs(c[i] - x[r * 192 + i]), bound, "\(format) row \(r) value \(i)")
                }
            }
        }
    }

    // float64 sums of 64 products vs f32 FMA chains: relative ~1e-6 of the sum of |terms|;
    // 1e-4 of that scale fails on any wrong element, block scale or row.
    func testAttentionLoopsMatchFloat64Reference() throws {
        let a = try JSONDecoder().decode(Attention.self, from: Data(contentsOf: Self.dir.appendingPathComponent("attention.json")))
        let x = try rows()
        let formats: [(BlockFormat, [UInt8])] = [
            (.f32, x.withUnsafeBytes { [UInt8]($0) }), (.f16, try fixture("f16.bin")), (.q8_0, try fixture("q8_0.bin")),
        ]
        for (format, bytes) in formats {
            let want = try XCTUnwrap(a.formats["\(format)"])
            let rowBytes = format.byteCount(elements: a.width)
            let offset = format.byteCount(elements: a.head * a.head_dim)
            var scores = [Float](repeating: 0, count: a.rows)
            var sum = [Float](repeating: 0, count: a.head_dim)
            bytes.withUnsafeBytes { raw in
                let head = raw.baseAddress! + offset
                Kernels.dotRows(format, a.q, head, rowBytes: rowBytes, count: a.rows, n: a.head_dim, scale: a.scale, into: &scores)
                Kernels.axpyRows(format, a.w, head, rowBytes: rowBytes, count: a.rows, n: a.head_dim, into: &sum)
            }
            let scoreScale = want.scores.map(abs).max() ?? 1
            for (g, w) in zip(scores, want.scores) {
                XCTAssertEqual(Double(g), w, accuracy: 1e-4 * scoreScale, "\(format) scores")
            }
            let sumScale = want.weighted_sum.map(abs).max() ?? 1
            for (g, w) in zip(sum, want.weighted_sum) {
                XCTAssertEqual(Double(g), w, accuracy: 1e-4 * sumScale, "\(format) weighted sum")
            }
        }
    }

    /// The C kernels against the Swift fallback over head sizes, row counts that leave every
    /// remainder of the 4-row pass, and a head in the middle of a wider row.
    func testKernelsMatchSwiftFallback() throws {
        try XCTSkipIf(Kernels.isaLevel == 0, "no SIMD kernels on this CPU: the Swift path is the only one")
        var rng = SplitMix(seed: 7)
        for format in [BlockFormat.f16, .q8_0] {
            for n in [32, 64, 128, 256] {
                let width = 3 * n, rowBytes = format.byteCount(elements: width), offset = format.byteCount(elements: n)
                for count in [1, 3, 4, 5, 64, 67] {
                    let x = (0..<(count * width)).map { _ in rng.normal() * 3 }
                    let bytes = stored(format, x, width: width) { KVRowsSwift.store(format, $0, into: $1, n: width) }
                    let q = (0..<n).map { _ in rng.normal() }
                    let w = (0..<count).map { _ in rng.unit() }
                    var c = [Float](repeating: 0, count: count), s = c
                    var cs = [Float](repeating: 0.5, count: n), ss = cs
                    bytes.withUnsafeBytes { raw in
                        let head = raw.baseAddress! + offset
                        Kernels.dotRows(format, q, head, rowBytes: rowBytes, count: count, n: n, scale: 0.125, into: &c)
                        KVRowsSwift.dotRows(format, q, head, rowBytes: rowBytes, count: count, n: n, scale: 0.125, into: &s)
                        Kernels.axpyRows(format, w, head, rowBytes: rowBytes, count: count, n: n, into: &cs)
                        KVRowsSwift.axpyRows(format, w, head, rowBytes: rowBytes, count: count, n: n, into: &ss)
                    }
                    // Same values, different summation order: ~1e-6 relative to the magnitudes (~3 x sqrt(n)).
                    XCTAssertLessThanOrEqual(maxDiff(c, s), 1e-3, "\(format) dot n=\(n) count=\(count)")
                    XCTAssertLessThanOrEqual(maxDiff(cs, ss), 1e-3, "\(format) axpy n=\(n) count=\(count)")
                }
            }
        }
    }

    /// The grouped kernels (one pass over the rows for every query head of a GQA group) against
    /// the Swift fallback run head by head: group sizes on both sides of the C kernel's limits
    /// (fewer than 4 heads, 7 per weighted-sum pass, 8 per score pass), every format, row counts
    /// around its 64-row tile, and queries, scores and outputs at strides wider than a head.
    func testGroupKernelsMatchSwiftFallbackPerHead() throws {
        var rng = SplitMix(seed: 11)
        for format in [BlockFormat.f32, .f16, .q8_0] {
            for n in [32, 64, 256] {
                let width = 2 * n, rowBytes = format.byteCount(elements: width), offset = format.byteCount(elements: n)
                for heads in [1, 3, 4, 7, 8, 9, 15] {
                    for count in [1, 2, 63, 64, 65, 130] {
                        let x = (0..<(count * width)).map { _ in rng.normal() * 3 }
                        let bytes = stored(format, x, width: width) { KVRowsSwift.store(format, $0, into: $1, n: width) }
                        let qStride = n + 8, ctx = count + 5
                        let q = (0..<(heads * qStride)).map { _ in rng.normal() }
                        let w = (0..<(heads * ctx)).map { _ in rng.unit() }
                        var c = [Float](repeating: -1, count: heads * ctx), s = c
                        var cs = [Float](repeating: 0.5, count: heads * n), ss = cs
                        bytes.withUnsafeBytes { raw in
                            let head = raw.baseAddress! + offset
                            Kernels.groupDotRows(format, q, qStride: qStride, heads: heads, head, rowBytes: rowBytes, count: count,
                                                 n: n, scale: 0.125, into: &c, scoresStride: ctx)
                            Kernels.groupAxpyRows(format, w, weightsStride: ctx, heads: heads, head, rowBytes: rowBytes,
                                                  count: count, n: n, into: &cs, outStride: n)
                            q.withUnsafeBufferPointer { qp in
                                w.withUnsafeBufferPointer { wp in
                                    s.withUnsafeMutableBufferPointer { sp in
                                        ss.withUnsafeMutableBufferPointer { ssp in
                                            for j in 0..<heads {
                                                KVRowsSwift.dotRows(format, qp.baseAddress! + j * qStride, head, rowBytes: rowBytes,
                                                                    count: count, n: n, scale: 0.125, into: sp.baseAddress! + j * ctx)
                                                KVRowsSwift.axpyRows(format, wp.baseAddress! + j * ctx, head, rowBytes: rowBytes,
                                                                     count: count, n: n, into: ssp.baseAddress! + j * n)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        let what = "\(format) n=\(n) heads=\(heads) count=\(count)"
                        // Scores past `count` in each head's row stay untouched (-1 in both).
                        XCTAssertLessThanOrEqual(maxDiff(c, s), 1e-3, "group dot \(what)")
                        XCTAssertLessThanOrEqual(maxDiff(cs, ss), 1e-3 * Float(count).squareRoot(), "group axpy \(what)")
                    }
                }
            }
        }
    }

    private func maxDiff(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }
}

private extension SplitMix {
    /// Standard normal (Box-Muller).
    mutating func normal() -> Float {
        let u = max(unit(), 1e-7), v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
