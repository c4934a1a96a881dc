extension KernelBench {
    /// Attention over `positions` cached rows for one query row and one KV head of a GQA group
    /// of `heads` query heads (Qwen2.5-0.5B: 7 heads of 64), scores then weighted sum, in
    /// microseconds, one thread, best of `repeats`: head by head (`dotRows` / `axpyRows`, each
    /// head reading every row again; the baseline) and grouped (`groupDotRows` /
    /// `groupAxpyRows`: one pass over the rows for all heads), from the same run.
    public static func attentionMicroseconds(_ format: BlockFormat, positions: Int = 2000, heads: Int = 7, headDim: Int = 64,
                                             repeats: Int = 5) -> (perHead: Double, grouped: Double) {
        let width = 2 * headDim, rowBytes = format.byteCount(elements: width)
        let rows = UnsafeMutableRawPointer.allocate(byteCount: positions * rowBytes, alignment: 64)
        defer { rows.deallocate() }
        var x = [Float](repeating: 0, count: width)
        for p in 0..<positions {
            for i in 0..<width { x[i] = Float((p * 31 + i * 7) % 97) / 50 - 1 }
            Kernels.storeKVRow(format, x, into: rows + p * rowBytes, n: width)
        }
        let q = (0..<(heads * headDim)).map { Float($0 % 13) / 13 - 0.5 }
        var scores = [Float](repeating: 0, count: heads * positions)
        var out = [Float](repeating: 0, count: heads * headDim)
        let loops = 20
        let perHead = best(repeats, threads: 1) {
            for _ in 0..<loops {
                for j in 0..<heads {
                    Kernels.dotRows(format, q.withUnsafeBufferPointer { $0.baseAddress! } + j * headDim, rows, rowBytes: rowBytes,
                            count: positions, n: headDim, scale: 0.125,
                            into: scores.withUnsafeMutableBufferPointer { $0.baseAddress! } + j * positions)
                    Kernels.axpyRows(format, scores.withUnsafeBufferPointer { $0.baseAddress! } + j * positions, rows, rowBytes: rowBytes,
                             count: positions, n: headDim, into: out.withUnsafeMutableBufferPointer { $0.baseAddress! } + j * headDim)
                }
            }
        }
        let grouped = best(repeats, threads: 1) {
            for _ in 0..<loops {
                Kernels.groupDotRows(format, q, qStride: headDim, heads: heads, rows, rowBytes: rowBytes, count: positions, n: headDim,
                             scale: 0.125, into: &scores, scoresStride: positions)
                Kernels.groupAxpyRows(format, scores, weightsStride: positions, heads: heads, rows, rowBytes: rowBytes, count: positions,
                              n: headDim, into: &out, outStride: headDim)
            }
        }
        return (perHead.wall / Double(loops) * 1e6, grouped.wall / Double(loops) * 1e6)
    }
}
