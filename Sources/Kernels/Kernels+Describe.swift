import CKernels

extension Kernels {
    /// Which kernel runs products with weights in `format` on this CPU at the current ISA level,
    /// e.g. "q4_K x q8, avx512-vnni", "f16 x f32, avx2" or "bf16: swift fallback (slow)", so that
    /// model loading can log it per tensor type and no format takes the slow path unnoticed.
    public static func kernelDescription(for format: BlockFormat) -> String {
        let name = "\(format)"
        guard ck_has_kernel(Int32(bitPattern: format.rawValue)) != 0 else { return "\(name): swift fallback (slow)" }
        return "\(name) x \(usesQ8(format) ? "q8" : "f32"), \(isaName)"
    }
}
