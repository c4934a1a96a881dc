import Foundation
import Kernels

// kernel-bench [threads [format|attention [tokens]]]: decode GB/s and prefill GFLOP/s (over
// `tokens`, default 128) per weight format, every ISA level this CPU runs, and attention head
// by head vs grouped, all from one run so the ratios compare (see KernelBench). "per CPU"
// divides by the CPU time the process got, which matters when other processes share the cores.
let threads = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 2
let pool = ThreadPool(threads: threads)
var shape = KernelBench.Shape()
if let n = CommandLine.arguments.dropFirst(3).first.flatMap({ Int($0) }) { shape.tokens = n }
print("kernel-bench: \(threads) threads; decode \(shape.rows)x\(shape.cols) matvecs over \(shape.decodeBytes >> 20) MB;",
      "prefill \(shape.prefillRows)x\(shape.prefillCols) x \(shape.tokens) tokens")
print(String(format: "memory read bandwidth (%d threads, streaming 256 MB): %.1f GB/s", threads,
             Kernels.readBandwidth(pool: pool)))
let best = Kernels.bestISALevel
let only = CommandLine.arguments.dropFirst(2).first
for level in Set((0...best).map { Kernels.limitISA($0) }).sorted().reversed() {
    Kernels.limitISA(level)
    for f in KernelBench.formats where only == nil || "\(f)" == only {
        let slow = level == 0
        var s = shape
        if slow { s.decodeBytes = 32 << 20; s.tokens = 8 }  // the Swift fallback is slow: keep it short
        let gb = KernelBench.decodeGBps(f, shape: s, pool: pool, repeats: slow ? 1 : 3)
        let gc = KernelBench.cachedDecodeGBps(f, shape: s, pool: pool, repeats: slow ? 1 : 5)
        let gf = KernelBench.prefillGFLOPs(f, shape: s, pool: pool, repeats: slow ? 1 : 5)
        let name = "\(f)".padding(toLength: 5, withPad: " ", startingAt: 0)
        print("\(Kernels.isaName.padding(toLength: 12, withPad: " ", startingAt: 0)) \(name)",
              String(format: "decode %5.1f GB/s (%5.1f per CPU), in L2 %5.1f (%5.1f)  prefill %6.1f GFLOP/s (%6.1f per CPU)",
                     gb.wall, gb.cpu, gc.wall, gc.cpu, gf.wall, gf.cpu),
              "[\(Kernels.kernelDescription(for: f))]")
    }
}
Kernels.limitISA(best)
if only == nil || only == "attention" {
    // GQA groups of Qwen2.5-0.5B (7 query heads of 64 per KV head) and Gemma 3 270M (4 of 256).
    for (heads, headDim) in [(7, 64), (4, 256)] {
        for f in Kernels.kvRowFormats {
            let (perHead, grouped) = KernelBench.attentionMicroseconds(f, heads: heads, headDim: headDim)
            print(String(format: "%@: attention, %@ cache, 2000 positions x %d heads of %d (one GQA group), one thread: head by head %.1f us, grouped %.1f us (%.2fx)",
                         Kernels.isaName, "\(f)", heads, headDim, perHead, grouped, perHead / grouped))
        }
    }
}
if only == nil {
    let (rate, ms) = KernelBench.qwen15BDecode(pool: pool)
    print(String(format: "%@: Qwen2.5-1.5B Q4_K_M layers (no head), one decode step: %.1f ms, %.1f GB/s (%.1f per CPU)",
                 Kernels.isaName, ms, rate.wall, rate.cpu))
}
