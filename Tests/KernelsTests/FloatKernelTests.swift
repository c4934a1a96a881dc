import Foundation
import XCTest
@testable import Kernels
import TestSupport

/// The per-token float kernels (attention rows, softmax, SwiGLU, RMSNorm) at every ISA level
/// this CPU has (0 = Swift loops, 1-2 = 256-bit AVX2 C, 3+ = 512-bit AVX-512 C), on sizes that
/// hit the 4-row blocks, the n == 64 path and the masked tails, against Double formulas.
final class FloatKernelTests: XCTestCase {
    var rng = SplitMix(seed: 91)
    func vec(_ n: Int, _ lo: Float, _ hi: Float) -> [Float] { (0..<n).map { _ in rng.float(lo, hi) } }

    override func tearDown() {
        Kernels.limitISA(99)
    }

    /// Each distinct level in use, best first.
    func levels() -> [Int] {
        let all = Set((0...Kernels.bestISALevel).map { Kernels.limitISA($0) }).sorted().reversed()
        Kernels.limitISA(99)
        return Array(all)
    }

    func testDotRowsShapes() {
        for (n, stride) in [(64, 192), (64, 64), (16, 20), (17, 40), (1, 3), (100, 128), (80, 80)] {
            for count in [0, 1, 3, 4, 5, 130] {
                let q = vec(n, -1, 1), keys = vec(max(1, stride * count), -1, 1)
                for level in levels() {
                    Kernels.limitISA(level)
                    var got = [Float](repeating: .nan, count: count + 1)
                    Kernels.dotRows(q, keys, stride: stride, count: count, n: n, scale: 0.125, into: &got)
                    for p in 0..<count {
                        let ref = (0..<n).reduce(0.0) { $0 + Double(q[$1]) * Double(keys[p * stride + $1]) } * 0.125
                        // Float rounding of <= 100 products of magnitude <= 1, scaled by 1/8.
                        XCTAssertEqual(Double(got[p]), ref, accuracy: 2e-6 * Double(n), "level \(level) n \(n) p \(p)")
                    }
                    XCTAssert(got[count].isNaN, "wrote past count at level \(level)")
                }
            }
        }
    }

    func testAxpyRowsShapes() {
        for (n, stride) in [(64, 192), (16, 16), (17, 40), (1, 3), (100, 128), (130, 130)] {
            for count in [0, 1, 5, 130] {
                let w = vec(count, 0, 1), values = vec(max(1, stride * count), -1, 1), start = vec(n + 1, -1, 1)
                for level in levels() {
                    Kernels.limitISA(level)
                    var out = start
                    Kernels.axpyRows(w, values, stride: stride, count: count, n: n, into: &out)
                    for i in 0..<n {
                        let ref = Double(start[i]) + (0..<count).reduce(0.0) { $0 + Double(w[$1]) * Double(values[$1 * stride + i]) }
                        // Float rounding of up to 130 products of magnitude <= 1 accumulated in order.
                        XCTAssertEqual(Double(out[i]), ref, accuracy: 1e-5 * Double(count + 1), "level \(level) n \(n) i \(i)")
                    }
                    XCTAssertEqual(out[n], start[n], "wrote past n at level \(level)")
                }
            }
        }
    }

    func testSoftmaxSizesAndRange() {
        for n in [1, 2, 15, 16, 17, 64, 513] {
            // Scores as attention sees them (spread of tens), plus far-below-max values that
            // must underflow to ~0 rather than produce NaN.
            var x = vec(n, -30, 30)
            if n > 2 { x[1] = -1e30; x[2] = -.infinity }
            let mx = Double(x.max() ?? 0)
            let e = x.map { exp(Double($0) - mx) }
            let sum = e.reduce(0, +)
            for level in levels() {
                Kernels.limitISA(level)
                var got = x + [7]
                Kernels.softmax(&got, n: n)
                for i in 0..<n {
                    // The vector exp is within a few float ulps of e^x: relative 1e-6, plus an
                    // absolute floor for values that are ~0 against the sum.
                    XCTAssertEqual(Double(got[i]), e[i] / sum, accuracy: e[i] / sum * 1e-6 + 1e-12, "level \(level) n \(n) i \(i)")
                }
                XCTAssertEqual(got[n], 7, "wrote past n at level \(level)")
            }
        }
    }

    func testSwigluSizesAndExtremes() {
        for n in [1, 15, 16, 17, 1536] {
            var g = vec(n, -8, 8)
            if n > 2 { g[0] = 100; g[1] = -100 }  // e^100 is past float range: silu -> -0
            let u = vec(n, -2, 2)
            let ref = zip(g, u).map { Double($0) / (1 + exp(-Double($0))) * Double($1) }
            for level in levels() {
                Kernels.limitISA(level)
                var got = g + [7]
                Kernels.swiglu(gate: &got, up: u, n: n)
                for i in 0..<n {
                    // Float division and exp: a few ulps relative, absolute floor for ~0 results.
                    XCTAssertEqual(Double(got[i]), ref[i], accuracy: abs(ref[i]) * 2e-6 + 1e-12, "level \(level) n \(n) i \(i)")
                }
                XCTAssertEqual(got[n], 7, "wrote past n at level \(level)")
            }
        }
    }

    func testGegluTanhSizesAndExtremes() {
        for n in [1, 15, 16, 17, 2048] {
            var g = vec(n, -8, 8)
            if n > 2 { g[0] = 100; g[1] = -100 }  // e^(-2u) past float range: -> 100 and -0
            let u = vec(n, -2, 2)
            let k = (2 / Double.pi).squareRoot()
            let arg = g.map { k * (Double($0) + 0.044715 * pow(Double($0), 3)) }
            let ref = (0..<n).map { 0.5 * Double(g[$0]) * (1 + tanh(arg[$0])) * Double(u[$0]) }
            for level in levels() {
                Kernels.limitISA(level)
                var got = g + [7]
                Kernels.gegluTanh(gate: &got, up: u, n: n)
                for i in 0..<n {
                    // A few ulps, plus exp's relative error growing with its argument 2u (the float
                    // u carries ~1 ulp, so e^-2u carries ~|2u| ulps).
                    let tol = abs(ref[i]) * (4e-6 + 2e-7 * min(abs(2 * arg[i]), 200)) + 1e-12
                    XCTAssertEqual(Double(got[i]), ref[i], accuracy: tol, "level \(level) n \(n) i \(i)")
                }
                XCTAssertEqual(got[n], 7, "wrote past n at level \(level)")
            }
        }
    }

    func testRmsNormSizesAndAliasing() {
        for n in [1, 15, 17, 576] {
            let x = vec(n, -3, 3), w = vec(n, -1, 1)
            let inv = 1 / (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n) + 1e-5).squareRoot()
            for level in levels() {
                Kernels.limitISA(level)
                var out = [Float](repeating: 7, count: n + 1)
                Kernels.rmsNorm(x, weight: w, n: n, eps: 1e-5, out: &out)
                for i in 0..<n {
                    // Two float multiplies after a Double sum: ~2 ulps of |x * inv * w| <= ~3.
                    XCTAssertEqual(Double(out[i]), Double(x[i]) * inv * Double(w[i]), accuracy: 1e-6, "level \(level) i \(i)")
                }
                XCTAssertEqual(out[n], 7, "wrote past n at level \(level)")
                var inPlace = x
                inPlace.withUnsafeMutableBufferPointer {
                    Kernels.rmsNorm($0.baseAddress!, weight: w, n: n, eps: 1e-5, out: $0.baseAddress!)
                }
                XCTAssertEqual(inPlace, Array(out[0..<n]), "aliasing changed the result at level \(level)")
            }
        }
    }
}
