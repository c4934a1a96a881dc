extension KernelBench {
    /// Attention over `positions` cached rows for one query row and one KV head of a GQA group
    /// of `heads` query heads (Qwen2.5-0.5B: 7 heads of 64), scores then weighted sum, in
    /// microseconds, one thread, best of `repeats`: head by head (`dotRows` / `axpyRows`, each
    /// head loading and decoding every row again; the baseline) and grouped (`groupDotRows` /
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
        // The baseline is the loop attention ran before the grouped kernels: blocks of rows,
        // each head over the block (so the block is read from L1 by all but the first head).
        let block = Kernels.groupBlock
        let perHead = best(repeats, threads: 1) {
            q.withUnsafeBufferPointer { qs in
                scores.withUnsafeMutableBufferPointer { ss in
                    out.withUnsafeMutableBufferPointer { os in
                        for _ in 0..<loops {
                            for p0 in stride(from: 0, to: positions, by: block) {
                                for j in 0..<heads {
                                    Kernels.dotRows(format, qs.baseAddress! + j * headDim, rows + p0 * rowBytes, rowBytes: rowBytes,
                                                    count: min(block, positions - p0), n: headDim, scale: 0.125,
                                                    into: ss.baseAddress! + j * positions + p0)
                                }
                            }
                            for p0 in stride(from: 0, to: positions, by: block) {
                                for j in 0..<heads {
                                    Kernels.axpyRows(format, ss.baseAddress! + j * positions + p0, rows + p0 * rowBytes,
                                                     rowBytes: rowBytes, count: min(block, positions - p0), n: headDim,
                                                     into: os.baseAddress! + j * headDim)
                                }
                            }
                        }
                    }
                }
            }
        }
        let grouped = best(repeats, threads: 1) {
            for _ in 0..<loops {
                Kernels.groupDotRows(format, q, qStride: headDim, heads: heads, rows, rowBytes: rowBytes, count: positions,
                                     n: headDim, scale: 0.125, into: &scores, scoresStride: positions)
                Kernels.groupAxpyRows(format, scores, weightsStride: positions, heads: heads, rows, rowBytes: rowBytes,
                                      count: positions, n: headDim, into: &out, outStride: headDim)
            }
        }
        return (perHead.wall / Double(loops) * 1e6, grouped.wall / Double(loops) * 1e6)
    }
}
