import CKernels

/// Matrix-vector and matrix-matrix products with weights kept in their storage format.
/// Q4_0/Q4_1/Q8_0 quantize the activations to 8-bit blocks and use the C integer kernels;
/// F32/F16 use the C float kernels; everything else (or a CPU without AVX2) dequantizes one
/// row at a time in Swift and takes f32 dot products.
extension Kernels {
    /// y[rows] = W x;  x: [w.cols]
    public static func matvec(_ w: WeightMatrix, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                              pool: ThreadPool) {
        matmul(w, x, n: 1, y, pool: pool)
    }

    /// Y[n][w.rows] = X[n][w.cols] W^T (prefill). Each group of 4 weight rows is loaded once
    /// and applied to all n tokens while it sits in L1.
    public static func matmul(_ w: WeightMatrix, _ x: UnsafePointer<Float>, n: Int, _ y: UnsafeMutablePointer<Float>,
                              pool: ThreadPool) {
        guard w.rows > 0, w.cols > 0, n > 0 else { return }
        let chunk = chunkRows(w.rows, threads: pool.threads)
        let chunks = (w.rows + chunk - 1) / chunk
        let fmt = Int32(bitPattern: w.format.rawValue)
        if ck_isa() > 0 && (w.format == .q4_0 || w.format == .q4_1 || w.format == .q8_0) {
            let nb = w.cols / 32
            withUnsafeTemporaryAllocation(of: ck_q8_block.self, capacity: n * nb) { xq in
                guard let xqBase = xq.baseAddress else { return }
                quantizeRows(x, n: n, cols: w.cols, into: xqBase, pool: pool)
                pool.parallelFor(chunks) { c in
                    let r0 = c * chunk
                    _ = ck_matmul(fmt, w.data, w.rowBytes, Int32(w.cols), xqBase, nil, Int32(n),
                                  y, w.rows, Int32(r0), Int32(min(r0 + chunk, w.rows)))
                }
            }
        } else if ck_isa() > 0 && (w.format == .f32 || w.format == .f16) {
            pool.parallelFor(chunks) { c in
                let r0 = c * chunk
                _ = ck_matmul(fmt, w.data, w.rowBytes, Int32(w.cols), nil, x, Int32(n),
                              y, w.rows, Int32(r0), Int32(min(r0 + chunk, w.rows)))
            }
        } else {
            pool.parallelFor(chunks) { c in
                let r0 = c * chunk
                referenceRows(w, x, n: n, y, rows: r0..<min(r0 + chunk, w.rows))
            }
        }
    }

    /// Portable path and test oracle: dequantize each row, f32 dot with every token.
    static func referenceRows(_ w: WeightMatrix, _ x: UnsafePointer<Float>, n: Int, _ y: UnsafeMutablePointer<Float>,
                              rows: Range<Int>) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: w.cols) { buf in
            guard let row = buf.baseAddress else { return }
            for r in rows {
                dequantizeRow(w, row: r, into: row)
                for t in 0..<n {
                    y[t * w.rows + r] = dot(row, x + t * w.cols, n: w.cols)
                }
            }
        }
    }

    /// Rows per parallel work item: a multiple of 4 (the kernels' row group), about 8 items per
    /// thread so a thread slowed by another process does not hold up the rest.
    static func chunkRows(_ rows: Int, threads: Int) -> Int {
        let target = max(4, rows / max(1, threads * 8))
        return (target + 3) / 4 * 4
    }

    /// x: [n][cols] -> xq: [n][cols/32]; split over the pool when there are many tokens.
    static func quantizeRows(_ x: UnsafePointer<Float>, n: Int, cols: Int, into xq: UnsafeMutablePointer<ck_q8_block>,
                             pool: ThreadPool) {
        let nb = cols / 32
        if n < 8 {
            ck_quantize_q8(x, xq, Int32(n * nb))
            return
        }
        let perItem = 8
        pool.parallelFor((n + perItem - 1) / perItem) { i in
            let t0 = i * perItem
            let t1 = min(t0 + perItem, n)
            ck_quantize_q8(x + t0 * cols, xq + t0 * nb, Int32((t1 - t0) * nb))
        }
    }
}
