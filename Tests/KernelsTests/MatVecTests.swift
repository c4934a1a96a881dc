import XCTest
@testable import Kernels

/// matvec/matmul against f32 products of the dequantized matrix (dequantization itself is
/// pinned to gguf-py by DequantizeTests), for every ISA variant this CPU can run.
final class MatVecTests: XCTestCase {
    override func tearDown() {
        Kernels.limitISA(99)
    }

    /// Largest error the 8-bit activation quantization can cause on one output: each x_i is
    /// rounded to the nearest multiple of d_b = max|x in its block| / 127, so |dx_i| <= d_b / 2
    /// and |error| <= sum_i |w_i| * d_b / 2. Float summation order adds ~1e-5 relative of
    /// sum |w_i x_i| (cols <= 1536 terms, float eps 6e-8, times a margin).
    static func bound(_ w: [Float], _ x: [Float], quantized: Bool) -> Float {
        var b: Float = 0
        var mag: Float = 0
        for blk in stride(from: 0, to: x.count, by: 32) {
            let amax = x[blk..<min(blk + 32, x.count)].map(abs).max() ?? 0
            for i in blk..<min(blk + 32, x.count) {
                if quantized { b += abs(w[i]) * amax / 127 / 2 }
                mag += abs(w[i] * x[i])
            }
        }
        return b * 1.001 + mag * 1e-5 + 1e-6
    }

    func check(_ f: BlockFormat, rows: Int, cols: Int, n: Int, threads: Int, seed: UInt64) throws {
        var rng = TestRNG(state: seed)
        let bytes = RandomWeights.make(f, rows: rows, cols: cols, rng: &rng)
        let x = (0..<(n * cols)).map { _ in rng.float(-2, 2) }
        let dense = bytes.withUnsafeBytes { Kernels.dequantize(f, $0.baseAddress!, count: rows * cols) }
        let pool = ThreadPool(threads: threads)
        var y = [Float](repeating: .nan, count: n * rows)
        bytes.withUnsafeBytes { buf in
            let w = WeightMatrix(format: f, rows: rows, cols: cols, data: buf.baseAddress!)
            if n == 1 { Kernels.matvec(w, x, &y, pool: pool) } else { Kernels.matmul(w, x, n: n, &y, pool: pool) }
        }
        let quantized = Kernels.isaLevel > 0 && [.q4_0, .q4_1, .q8_0].contains(f)
        for t in 0..<n {
            let xt = Array(x[(t * cols)..<((t + 1) * cols)])
            for r in 0..<rows {
                let wr = Array(dense[(r * cols)..<((r + 1) * cols)])
                let ref = zip(wr, xt).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                let tol = Self.bound(wr, xt, quantized: quantized)
                let got = y[t * rows + r]
                if !(abs(Double(got) - ref) <= Double(tol)) {
                    return XCTFail("\(f) isa \(Kernels.isaName) \(rows)x\(cols) n=\(n) t=\(t) r=\(r): got \(got), want \(ref) ± \(tol)")
                }
            }
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
        var rng = TestRNG(state: 99)
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
        var rng = TestRNG(state: 3)
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
