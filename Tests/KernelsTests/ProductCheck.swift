@testable import Kernels
import TestSupport

/// One product checked against f64 dot products of the gguf-py-pinned dequantization
/// (DequantizeTests), shared by the product tests. Returns a failure message or nil.
enum ProductCheck {
    /// Largest error the 8-bit activation quantization can cause on one output: each x_i is
    /// rounded to the nearest multiple of d_b = max|x in its block| / 127, so |dx_i| <= d_b / 2
    /// and |error| <= sum_i |w_i| * d_b / 2. Float summation order adds ~1e-5 relative of
    /// sum |w_i x_i| (float eps 6e-8; rounding errors add up like a random walk: sqrt(20736) x eps ~ 1e-5).
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

    /// With `extreme` = (fill, value), every quant byte is `fill` and every activation `value`:
    /// the largest partial sums the kernels' integer paths must hold without saturating.
    static func mismatch(_ f: BlockFormat, rows: Int, cols: Int, n: Int, threads: Int, seed: UInt64,
                         extreme: (fill: UInt8, value: Float)? = nil) -> String? {
        var rng = SplitMix(seed: seed)
        var bytes = RandomWeights.make(f, rows: rows, cols: cols, rng: &rng)
        var x = (0..<(n * cols)).map { _ in rng.float(-2, 2) }
        if let (fill, value) = extreme {
            bytes = RandomWeights.filled(f, bytes, fill)
            x = [Float](repeating: value, count: n * cols)
        }
        let dense = bytes.withUnsafeBytes { Kernels.dequantize(f, $0.baseAddress!, count: rows * cols) }
        let pool = ThreadPool(threads: threads)
        var y = [Float](repeating: .nan, count: n * rows)
        bytes.withUnsafeBytes { buf in
            let w = WeightMatrix(format: f, rows: rows, cols: cols, data: buf.baseAddress!)
            if n == 1 { Kernels.matvec(w, x, &y, pool: pool) } else { Kernels.matmul(w, x, n: n, &y, pool: pool) }
        }
        let quantized = Kernels.isaLevel > 0 && Kernels.usesQ8(f)
        for t in 0..<n {
            let xt = Array(x[(t * cols)..<((t + 1) * cols)])
            let xq = quantized ? roundTrip8(xt) : xt
            for r in 0..<rows {
                let wr = Array(dense[(r * cols)..<((r + 1) * cols)])
                let got = y[t * rows + r]
                // Against the true x within the quantization bound, and against the 8-bit
                // activations the kernel sees within float rounding alone (which catches small
                // slips, e.g. a wrong zero point, that the first bound would hide).
                let ref = zip(wr, xt).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                let tol = Self.bound(wr, xt, quantized: quantized)
                let refq = zip(wr, xq).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                let tolq = Self.bound(wr, xq, quantized: false)
                if !(abs(Double(got) - ref) <= Double(tol)) || !(abs(Double(got) - refq) <= Double(tolq)) {
                    return "\(f) isa \(Kernels.isaName) \(rows)x\(cols) n=\(n) t=\(t) r=\(r): got \(got), "
                        + "want \(ref) ± \(tol), and \(refq) ± \(tolq) with 8-bit activations"
                }
            }
        }
        return nil
    }

    /// x after the kernels' activation quantization, written independently from its definition
    /// (ckernels.h): per 32 values d = max|x| / 127, q = round-half-even(x * (1 / d)), x' = d * q.
    static func roundTrip8(_ x: [Float]) -> [Float] {
        var out = x
        for b in stride(from: 0, to: x.count, by: 32) {
            let amax = x[b..<(b + 32)].map(abs).max() ?? 0
            let d = amax / 127
            let id: Float = d != 0 ? 1 / d : 0
            for i in b..<(b + 32) { out[i] = d * (x[i] * id).rounded(.toNearestOrEven) }
        }
        return out
    }
}
