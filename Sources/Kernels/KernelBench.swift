#if canImport(Glibc)
import Glibc
#endif

/// Throughput of the quantized products per weight format, for `kernel-bench` (not a test: the
/// numbers depend on the machine and its load). Decode: matvecs over distinct matrices of a
/// model's shape whose total (~256 MB) is far larger than the caches, so it measures how close a
/// kernel gets to memory bandwidth, in GB/s of weights. Prefill: one cache-resident matrix times
/// `tokens` activations, in GFLOP/s (2 per multiply-add), activation quantization included.
/// Each figure comes twice: per wall-clock second, and per CPU second of the process times the
/// thread count (what the kernel does with the cores it gets when other processes share them;
/// the pool's spin-waits count as CPU time, so this is a lower bound).
public enum KernelBench {
    public struct Rate: Sendable {
        public var wall: Double
        public var cpu: Double
    }

    public struct Shape: Sendable {
        public var rows = 8960, cols = 1536   // Qwen2.5 1.5B FFN up/gate
        public var decodeBytes = 256 << 20
        public var prefillRows = 1536, prefillCols = 1536, tokens = 128
        public init() {}
    }

    public static let formats: [BlockFormat] = [.q4_0, .q4_1, .q8_0, .q5_0, .q5_1, .q4_K, .q5_K, .q6_K]

    /// Decode GB/s of weights: best of `repeats` passes over all matrices.
    public static func decodeGBps(_ f: BlockFormat, shape: Shape, pool: ThreadPool, repeats: Int = 3) -> Rate {
        let matrixBytes = f.byteCount(elements: shape.rows * shape.cols)
        let count = max(1, shape.decodeBytes / matrixBytes)
        let data = randomWeights(f, bytes: count * matrixBytes)
        defer { data.deallocate() }
        let x = [Float](unsafeUninitializedCapacity: shape.cols) { b, n in
            for i in 0..<shape.cols { b[i] = Float((i * 37) % 101) / 50 - 1 }
            n = shape.cols
        }
        var y = [Float](repeating: 0, count: shape.rows)
        let ws = (0..<count).map {
            WeightMatrix(format: f, rows: shape.rows, cols: shape.cols, data: UnsafeRawPointer(data) + $0 * matrixBytes)
        }
        let t = best(repeats, threads: pool.threads) { for w in ws { Kernels.matvec(w, x, &y, pool: pool) } }
        let gb = Double(count * matrixBytes) / 1e9
        return Rate(wall: gb / t.wall, cpu: gb / t.cpu)
    }

    /// Decode compute ceiling: GB/s of weights for matvecs over one small matrix that stays in L2
    /// (rows x cols = 256 x shape.cols), so memory does not limit it.
    public static func cachedDecodeGBps(_ f: BlockFormat, shape: Shape, pool: ThreadPool, repeats: Int = 5) -> Rate {
        let (rows, cols, loops) = (256, shape.cols, 64)
        let bytes = f.byteCount(elements: rows * cols)
        let data = randomWeights(f, bytes: bytes)
        defer { data.deallocate() }
        let w = WeightMatrix(format: f, rows: rows, cols: cols, data: data)
        let x = (0..<cols).map { Float(($0 * 37) % 101) / 50 - 1 }
        var y = [Float](repeating: 0, count: rows)
        let t = best(repeats, threads: pool.threads) { for _ in 0..<loops { Kernels.matvec(w, x, &y, pool: pool) } }
        let gb = Double(loops * bytes) / 1e9
        return Rate(wall: gb / t.wall, cpu: gb / t.cpu)
    }

    /// Prefill GFLOP/s over `shape.tokens` tokens: best of `repeats`.
    public static func prefillGFLOPs(_ f: BlockFormat, shape: Shape, pool: ThreadPool, repeats: Int = 5) -> Rate {
        let (rows, cols, n) = (shape.prefillRows, shape.prefillCols, shape.tokens)
        let data = randomWeights(f, bytes: f.byteCount(elements: rows * cols))
        defer { data.deallocate() }
        let w = WeightMatrix(format: f, rows: rows, cols: cols, data: data)
        let x = (0..<(n * cols)).map { Float(($0 * 37) % 101) / 50 - 1 }
        var y = [Float](repeating: 0, count: n * rows)
        let t = best(repeats, threads: pool.threads) { Kernels.matmul(w, x, n: n, &y, pool: pool) }
        let gflop = 2 * Double(rows * cols * n) / 1e9
        return Rate(wall: gflop / t.wall, cpu: gflop / t.cpu)
    }

    /// Fastest of `repeats` runs: wall seconds, and process CPU seconds / threads.
    static func best(_ repeats: Int, threads: Int, _ body: () -> Void) -> (wall: Double, cpu: Double) {
        body()  // warm up: page faults, pool threads
        var wall = Double.infinity, cpu = Double.infinity
        for _ in 0..<repeats {
            let w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID)
            body()
            wall = min(wall, now(CLOCK_MONOTONIC) - w0)
            cpu = min(cpu, (now(CLOCK_PROCESS_CPUTIME_ID) - c0) / Double(threads))
        }
        return (wall, cpu)
    }

    static func now(_ clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Random quant bytes with every f16 scale set to a plausible 0.01 (random halves could be
    /// NaN or denormal and slow the float work down).
    static func randomWeights(_ f: BlockFormat, bytes: Int) -> UnsafeMutableRawPointer {
        let p = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        var s: UInt64 = 0x9E37_79B9_7F4A_7C15
        let words = p.bindMemory(to: UInt64.self, capacity: bytes / 8)
        for i in 0..<(bytes / 8) {
            s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            words[i] = s ^ (s >> 29)
        }
        fixScales(f, p, bytes: bytes)
        return p
    }

    /// Sets every f16 scale of `f` blocks in p[0..<bytes] to 0.01.
    static func fixScales(_ f: BlockFormat, _ p: UnsafeMutableRawPointer, bytes: Int) {
        let halfOffsets: [Int]
        switch f {
        case .q4_0, .q5_0, .q8_0: halfOffsets = [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: halfOffsets = [0, 2]
        case .q6_K: halfOffsets = [208]
        case .f32, .f16, .bf16: halfOffsets = []
        }
        let scale = Float16(0.01).bitPattern
        for b in stride(from: 0, to: bytes - f.blockBytes + 1, by: f.blockBytes) {
            for o in halfOffsets { p.storeBytes(of: scale, toByteOffset: b + o, as: UInt16.self) }
        }
    }
}
