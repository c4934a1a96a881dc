import CKernels
import Foundation

/// Element-wise and reduction kernels on f32 vectors. Small next to the matvecs (O(dim) per
/// call); softmax, SwiGLU and RMSNorm try the AVX-512 or AVX2 C kernels first (vector exp instead
/// of a libm call per element), and these Swift loops are the portable fallback and test oracle.
extension Kernels {
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, n: Int) -> Float {
        // 8 independent accumulators so the adds pipeline and vectorize.
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            acc = acc + va * vb
            i += 8
        }
        var s = (acc[0] + acc[4]) + (acc[1] + acc[5]) + (acc[2] + acc[6]) + (acc[3] + acc[7])
        while i < n {
            s += a[i] * b[i]
            i += 1
        }
        return s
    }

    /// y += alpha * x
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, n: Int) {
        for i in 0..<n { y[i] += alpha * x[i] }
    }

    /// out = x / sqrt(mean(x^2) + eps) * weight (llama RMSNorm; the sum is kept in Double as
    /// ggml does with `ggml_float`). `out` may alias `x`.
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, n: Int, eps: Float,
                               out: UnsafeMutablePointer<Float>) {
        if n > 0 && ck_rms_norm(x, weight, Int32(n), eps, out) != 0 { return }
        var sum: Double = 0
        for i in 0..<n { sum += Double(x[i]) * Double(x[i]) }
        let scale = Float(1.0 / (sum / Double(n) + Double(eps)).squareRoot())
        for i in 0..<n { out[i] = (x[i] * scale) * weight[i] }
    }

    /// In-place softmax over n values (max-subtracted for range).
    public static func softmax(_ x: UnsafeMutablePointer<Float>, n: Int) {
        guard n > 0 else { return }
        if ck_softmax(x, Int32(n)) != 0 { return }
        var mx = x[0]
        for i in 1..<n where x[i] > mx { mx = x[i] }
        var sum: Float = 0
        for i in 0..<n {
            let e = expf(x[i] - mx)
            x[i] = e
            sum += e
        }
        let inv = 1 / sum
        for i in 0..<n { x[i] *= inv }
    }

    /// gate[i] = silu(gate[i]) * up[i], silu(v) = v / (1 + e^-v).
    public static func swiglu(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, n: Int) {
        if n > 0 && ck_swiglu(gate, up, Int32(n)) != 0 { return }
        for i in 0..<n {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// gate[i] = gelu_tanh(gate[i]) * up[i], gelu_tanh(v) = 0.5 v (1 + tanh(u)) with
    /// u = sqrt(2/pi) (v + 0.044715 v^3), computed as v / (1 + e^-2u): the same value without
    /// the cancellation of 1 + tanh(u) for negative v.
    public static func gegluTanh(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, n: Int) {
        if n > 0 && ck_geglu_tanh(gate, up, Int32(n)) != 0 { return }
        let m2k: Float = -2 * 0.797_884_56  // -2 sqrt(2 / pi)
        for i in 0..<n {
            let v = gate[i]
            gate[i] = v / (1 + expf(m2k * (v + 0.044_715 * v * v * v))) * up[i]
        }
    }
}
