import Foundation
import Kernels

/// Small per-row operations some architectures add to the block (O(dim) per token, next to
/// the O(dim^2) matmuls). Llama's own (adjacent-pair RoPE, SwiGLU, RMSNorm) live in Kernels.
enum BlockMath {
    /// RoPE on "halves" (GPT-NeoX / HF rotate_half): within each head, x[i] and x[i + headDim/2]
    /// rotate by theta_i = position * base^(-2i/headDim). x: [heads][headDim];
    /// cos/sin: [headDim/2] from Kernels.ropeTable (the same angles as the adjacent-pair form).
    static func ropeHalves(_ x: UnsafeMutablePointer<Float>, heads: Int, headDim: Int,
                           cos c: UnsafePointer<Float>, sin s: UnsafePointer<Float>) {
        let half = headDim / 2
        for h in 0..<heads {
            let lo = x + h * headDim, hi = lo + half
            for i in 0..<half {
                let a = lo[i], b = hi[i]
                lo[i] = a * c[i] - b * s[i]
                hi[i] = b * c[i] + a * s[i]
            }
        }
    }

    /// rows[r][0..<width] += bias for r in 0..<n.
    static func addBias(_ bias: UnsafePointer<Float>, to rows: UnsafeMutablePointer<Float>, n: Int, width: Int) {
        for r in 0..<n { Kernels.axpy(1, bias, rows + r * width, n: width) }
    }

    /// RMS-normalizes each of `count` consecutive vectors of `width` in place with one weight.
    static func rmsNormEach(_ x: UnsafeMutablePointer<Float>, count: Int, width: Int,
                            weight: UnsafePointer<Float>, eps: Float) {
        for r in 0..<count {
            Kernels.rmsNorm(x + r * width, weight: weight, n: width, eps: eps, out: x + r * width)
        }
    }
}
