import CKernels
#if canImport(Glibc)
import Glibc
#endif

extension Kernels {
    /// The machine's memory read bandwidth in GB/s as the pool's threads see it: each thread
    /// streams its share of a buffer far larger than the caches (256 MB against this VM's 32 MB
    /// L3), best of `repeats` passes. Decode reads every weight once per token, so this is its
    /// ceiling; `kvserve bench` and `kernel-bench` print it beside the weights' GB/s.
    public static func readBandwidth(pool: ThreadPool, bytes: Int = 256 << 20, repeats: Int = 5) -> Double {
        let line = 64
        let size = max(bytes / line, pool.threads) * line
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        defer { buffer.deallocate() }
        memset(buffer, 1, size)  // fault every page in before timing
        let share = (size / line + pool.threads - 1) / pool.threads * line
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let start = KernelBench.now(CLOCK_MONOTONIC)
            pool.parallelFor(pool.threads) { t in
                let first = min(t * share, size)
                _ = ck_stream_read(buffer + first, min(share, size - first))  // opaque C call: never dropped
            }
            best = min(best, KernelBench.now(CLOCK_MONOTONIC) - start)
        }
        return Double(size) / best / 1e9
    }
}
