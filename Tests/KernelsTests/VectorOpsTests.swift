import Foundation
import XCTest
@testable import Kernels
import TestSupport

/// Small f32 kernels against their textbook formulas evaluated in Double.
/// Tolerances: a few float ulps of the result's magnitude (float rounding, n <= 1000).
final class VectorOpsTests: XCTestCase {
    var rng = SplitMix(seed: 5)
    func vec(_ n: Int, _ scale: Float = 1) -> [Float] { (0..<n).map { _ in rng.float(-scale, scale) } }

    func testDotAndAxpy() {
        for n in [0, 1, 7, 8, 9, 576, 1000] {
            let a = vec(n), b = vec(n)
            let ref = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let mag = zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
            XCTAssertEqual(Double(Kernels.dot(a, b, n: n)), ref, accuracy: mag * 1e-6 + 1e-9)
            var y = b
            Kernels.axpy(0.5, a, &y, n: n)
            for i in 0..<n { XCTAssertEqual(y[i], b[i] + 0.5 * a[i], accuracy: 1e-6) }
        }
    }

    func testRmsNorm() {
        let n = 576
        let x = vec(n, 3), w = vec(n)
        var out = [Float](repeating: 0, count: n)
        Kernels.rmsNorm(x, weight: w, n: n, eps: 1e-5, out: &out)
        let ms = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n)
        let inv = 1 / (ms + 1e-5).squareRoot()
        for i in 0..<n { XCTAssertEqual(Double(out[i]), Double(x[i]) * inv * Double(w[i]), accuracy: 1e-5) }
        // In place (out aliases x) gives the same answer.
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { Kernels.rmsNorm($0.baseAddress!, weight: w, n: n, eps: 1e-5, out: $0.baseAddress!) }
        XCTAssertEqual(inPlace, out)
    }

    func testSoftmax() {
        var x = vec(100, 30)
        let ref = x.map { exp(Double($0)) }
        let sum = ref.reduce(0, +)
        Kernels.softmax(&x, n: 100)
        for i in 0..<100 { XCTAssertEqual(Double(x[i]), ref[i] / sum, accuracy: 1e-6) }
        var big: [Float] = [1000, 1000]  // max subtraction keeps this finite
        Kernels.softmax(&big, n: 2)
        XCTAssertEqual(big, [0.5, 0.5])
    }

    func testSwiglu() {
        var g = vec(64, 6)
        let u = vec(64, 2)
        let ref = zip(g, u).map { Double($0) / (1 + exp(-Double($0))) * Double($1) }
        Kernels.swiglu(gate: &g, up: u, n: 64)
        for i in 0..<64 { XCTAssertEqual(Double(g[i]), ref[i], accuracy: 1e-5) }
    }

    /// GGUF llama layout: pair (2i, 2i+1) of each head rotated by pos * base^(-2i/headDim).
    func testRopeAdjacentPairs() {
        let (heads, hd, base) = (3, 64, Float(100000))
        for pos in [0, 1, 17, 8191] {
            let x = vec(heads * hd)
            var y = x
            var cosSin = [Float](repeating: 0, count: hd)
            cosSin.withUnsafeMutableBufferPointer { t in
                Kernels.ropeTable(position: pos, headDim: hd, freqBase: base, cos: t.baseAddress!, sin: t.baseAddress! + hd / 2)
            }
            cosSin.withUnsafeBufferPointer { t in
                Kernels.rope(&y, heads: heads, headDim: hd, cos: t.baseAddress!, sin: t.baseAddress! + hd / 2)
            }
            for h in 0..<heads {
                for i in 0..<(hd / 2) {
                    let theta = Double(pos) * pow(Double(base), -Double(2 * i) / Double(hd))
                    let a = Double(x[h * hd + 2 * i]), b = Double(x[h * hd + 2 * i + 1])
                    XCTAssertEqual(Double(y[h * hd + 2 * i]), a * cos(theta) - b * sin(theta), accuracy: 1e-6)
                    XCTAssertEqual(Double(y[h * hd + 2 * i + 1]), a * sin(theta) + b * cos(theta), accuracy: 1e-6)
                }
            }
        }
    }
}

final class AttentionKernelTests: XCTestCase {
    /// Against a Double loop; tolerance: float rounding of 64-term sums of O(1) products.
    func testDotRowsAndAxpyRowsAllVariants() {
        var rng = SplitMix(seed: 77)
        let (hd, stride, count) = (64, 192, 37)
        let q = (0..<hd).map { _ in rng.float(-1, 1) }
        let keys = (0..<(stride * count)).map { _ in rng.float(-1, 1) }
        let w = (0..<count).map { _ in rng.float(0, 1) }
        defer { Kernels.limitISA(99) }
        for level in Set((0...Kernels.bestISALevel).map { Kernels.limitISA($0) }) {
            Kernels.limitISA(level)
            var scores = [Float](repeating: 0, count: count)
            Kernels.dotRows(q, keys, stride: stride, count: count, n: hd, scale: 0.125, into: &scores)
            var out = [Float](repeating: 1, count: hd)
            Kernels.axpyRows(w, keys, stride: stride, count: count, n: hd, into: &out)
            for p in 0..<count {
                let ref = (0..<hd).reduce(0.0) { $0 + Double(q[$1]) * Double(keys[p * stride + $1]) } * 0.125
                XCTAssertEqual(Double(scores[p]), ref, accuracy: 1e-5, "level \(level) p \(p)")
            }
            for i in 0..<hd {
                let ref = 1 + (0..<count).reduce(0.0) { $0 + Double(w[$1]) * Double(keys[$1 * stride + i]) }
                XCTAssertEqual(Double(out[i]), ref, accuracy: 1e-4, "level \(level) i \(i)")
            }
        }
    }
}
