import XCTest
@testable import Kernels
import TestSupport

/// matvec/matmul against f32 products of the dequantized matrix (dequantization itself is
/// pinned to gguf-py by DequantizeTests), for every ISA variant this CPU can run.
final class MatVecTests: XCTestCase {
    override func tearDown() {
        Kernels.limitISA(99)
    }

    func check(_ f: BlockFormat, rows: Int, cols: Int, n: Int, threads: Int, seed: UInt64) throws {
        if let failure = ProductCheck.mismatch(f, rows: rows, cols: cols, n: n, threads: threads, seed: seed) {
            XCTFail(failure)
        }
    }

    func testAllFormatsAllVariants() throws {
        let best = Kernels.bestISALevel
        for level in Set((0...best).map { Kernels.limitISA($0) }).sorted().reversed() {
            Kernels.limitISA(level)
            for f in BlockFormat.allCases {
                let cols = f.blockElements == 256 ? 512 : 576
                try check(f, rows: 13, cols: cols, n: 1, threads: 2, seed: UInt64(f.rawValue) * 7 + 1)
                try check(f, rows: 70, cols: cols, n: 5, threads: 2, seed: UInt64(f.rawValue) * 7 + 2)
            }
        }
    }

    func testModelShapesOneAndTwoThreads() throws {
        for (rows, cols) in [(576, 576), (1536, 576), (576, 1536), (192, 576)] {
            try check(.q4_1, rows: rows, cols: cols, n: 1, threads: 1, seed: 11)
            try check(.q4_1, rows: rows, cols: cols, n: 1, threads: 2, seed: 12)
        }
        try check(.q8_0, rows: 1000, cols: 576, n: 1, threads: 2, seed: 13)
        try check(.q4_1, rows: 64, cols: 576, n: 33, threads: 2, seed: 14)
    }

    func testMatmulRowsEqualMatvecs() throws {
        // Same code path per token, so each matmul row must equal the matvec of that token exactly.
        var rng = SplitMix(seed: 99)
        let (rows, cols, n) = (37, 576, 9)
        let bytes = RandomWeights.make(.q4_1, rows: rows, cols: cols, rng: &rng)
        let x = (0..<(n * cols)).map { _ in rng.float(-1, 1) }
        let pool = ThreadPool(threads: 2)
        var all = [Float](repeating: 0, count: n * rows)
        var one = [Float](repeating: 0, count: rows)
        bytes.withUnsafeBytes { buf in
            let w = WeightMatrix(format: .q4_1, rows: rows, cols: cols, data: buf.baseAddress!)
            Kernels.matmul(w, x, n: n, &all, pool: pool)
            for t in [0, 4, 8] {
                x.withUnsafeBufferPointer { Kernels.matvec(w, $0.baseAddress! + t * cols, &one, pool: pool) }
                XCTAssertEqual(one, Array(all[(t * rows)..<((t + 1) * rows)]), "token \(t)")
            }
        }
    }
}

final class GroupedMatmulTests: XCTestCase {
    /// A group call must give exactly what separate calls give (same kernels, same quantized input),
    /// including an empty matrix and mixed formats.
    func testGroupEqualsSeparateCalls() {
        var rng = SplitMix(seed: 3)
        let cols = 576
        let shapes: [(BlockFormat, Int)] = [(.q4_1, 576), (.q8_0, 192), (.q4_1, 0), (.f32, 40), (.q5_0, 24)]
        let pool = ThreadPool(threads: 2)
        var owned: [UnsafeMutableRawPointer] = []
        defer { owned.forEach { $0.deallocate() } }
        let ws: [WeightMatrix] = shapes.map { f, rows in
            let bytes = RandomWeights.make(f, rows: rows, cols: cols, rng: &rng)
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
            owned.append(p)
            p.copyMemory(from: bytes, byteCount: bytes.count)
            return WeightMatrix(format: f, rows: rows, cols: cols, data: p)
        }
        for n in [1, 6] {
            let x = (0..<(n * cols)).map { _ in rng.float(-1, 1) }
            let separate = ws.map { UnsafeMutablePointer<Float>.allocate(capacity: max(n * $0.rows, 1)) }
            let grouped = ws.map { UnsafeMutablePointer<Float>.allocate(capacity: max(n * $0.rows, 1)) }
            defer { (separate + grouped).forEach { $0.deallocate() } }
            for (w, y) in zip(ws, separate) { Kernels.matmul(w, x, n: n, y, pool: pool) }
            Kernels.matmul(ws, x, n: n, grouped, pool: pool)
            for i in ws.indices {
                let a = Array(UnsafeBufferPointer(start: separate[i], count: n * ws[i].rows))
                let b = Array(UnsafeBufferPointer(start: grouped[i], count: n * ws[i].rows))
                XCTAssertEqual(a, b, "matrix \(i) n \(n)")
            }
        }
    }
}
