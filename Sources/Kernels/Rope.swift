import Foundation

/// Rotary position embedding in GGUF llama layout: within each head, adjacent pairs
/// (x[2i], x[2i+1]) are rotated by theta_i = position * freqBase^(-2i/headDim).
/// (The GGUF converter permutes Q/K weights so this equals HF's rotate-half form.)
extension Kernels {
    /// cos/sin: [headDim/2] each, for one position. Angles in Double: at position 8000 a Float
    /// angle would be off by ~5e-4 rad.
    public static func ropeTable(position: Int, headDim: Int, freqBase: Float,
                                 cos c: UnsafeMutablePointer<Float>, sin s: UnsafeMutablePointer<Float>) {
        let half = headDim / 2
        for i in 0..<half {
            let invFreq = Foundation.pow(Double(freqBase), -Double(2 * i) / Double(headDim))
            let theta = Double(position) * invFreq
            c[i] = Float(Foundation.cos(theta))
            s[i] = Float(Foundation.sin(theta))
        }
    }

    /// Applies a table from `ropeTable` to x: [heads][headDim].
    public static func rope(_ x: UnsafeMutablePointer<Float>, heads: Int, headDim: Int,
                            cos c: UnsafePointer<Float>, sin s: UnsafePointer<Float>) {
        for h in 0..<heads {
            let v = x + h * headDim
            for i in 0..<(headDim / 2) {
                let a = v[2 * i]
                let b = v[2 * i + 1]
                v[2 * i] = a * c[i] - b * s[i]
                v[2 * i + 1] = a * s[i] + b * c[i]
            }
        }
    }
}
