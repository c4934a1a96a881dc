import CKernels

extension Kernels {
    /// Name of the kernel variant in use ("sapphirerapids", "avx-vnni", "avx2", "swift", ...).
    public static var isaName: String { String(cString: ck_isa_name()) }

    /// Level of the variant in use (0 = portable Swift path).
    public static var isaLevel: Int { Int(ck_isa()) }

    /// Caps the variant level (for tests and benchmarks comparing variants); returns the level
    /// now in use. Not thread-safe against running kernels: call between model runs.
    @discardableResult
    public static func limitISA(_ level: Int) -> Int { Int(ck_set_isa(Int32(level))) }

    /// The best level this CPU supports.
    public static var bestISALevel: Int {
        let current = isaLevel
        let best = limitISA(99)
        limitISA(current)
        return best
    }
}
