extension KernelBench {
    /// The decoder layers of Qwen2.5-1.5B Q4_K_M (28 layers, dim 1536, K/V 256, FFN 8960; the
    /// output head left out), quantized as llama.cpp's Q4_K_M does: Q4_K, with attn_v and ffn_down
    /// in Q6_K on the first and last eighth of the layers and every third layer between.
    /// Returns (wall, cpu) rates in GB/s of weights and the wall milliseconds per token, for one
    /// decode step's products called as the model calls them (grouped QKV and gate/up).
    public static func qwen15BDecode(pool: ThreadPool, repeats: Int = 3) -> (rate: Rate, msPerToken: Double) {
        let (layers, dim, kv, ffn) = (28, 1536, 256, 8960)
        var shapes: [(BlockFormat, Int, Int)] = []  // format, rows, cols; 7 per layer
        for i in 0..<layers {
            let more = i < layers / 8 || i >= 7 * layers / 8 || (i - layers / 8) % 3 == 2
            let vd: BlockFormat = more ? .q6_K : .q4_K
            shapes += [(.q4_K, dim, dim), (.q4_K, kv, dim), (vd, kv, dim), (.q4_K, dim, dim),
                       (.q4_K, ffn, dim), (.q4_K, ffn, dim), (vd, dim, ffn)]
        }
        let sizes = shapes.map { $0.0.byteCount(elements: $0.1 * $0.2) }
        let total = sizes.reduce(0, +)
        let data = randomWeights(.f32, bytes: total)  // scales set per matrix below
        defer { data.deallocate() }
        var offset = 0
        let ws: [WeightMatrix] = zip(shapes, sizes).map { s, size in
            let p = data + offset
            offset += size
            fixScales(s.0, p, bytes: size)  // each matrix's own block boundaries
            return WeightMatrix(format: s.0, rows: s.1, cols: s.2, data: p)
        }
        let x = (0..<ffn).map { Float(($0 * 37) % 101) / 50 - 1 }
        let ys = (0..<3).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: ffn) }
        defer { ys.forEach { $0.deallocate() } }
        let qkv: [[WeightMatrix]] = (0..<layers).map { l in Array(ws[(7 * l)..<(7 * l + 3)]) }
        let gateUp: [[WeightMatrix]] = (0..<layers).map { l in Array(ws[(7 * l + 4)..<(7 * l + 6)]) }
        let gateUpOut = [ys[0], ys[1]]
        let t = best(repeats, threads: pool.threads) {
            for l in 0..<layers {
                Kernels.matmul(qkv[l], x, n: 1, ys, pool: pool)
                Kernels.matvec(ws[7 * l + 3], x, ys[0], pool: pool)
                Kernels.matmul(gateUp[l], x, n: 1, gateUpOut, pool: pool)
                Kernels.matvec(ws[7 * l + 6], x, ys[2], pool: pool)
            }
        }
        let gb = Double(total) / 1e9
        return (Rate(wall: gb / t.wall, cpu: gb / t.cpu), t.wall * 1e3)
    }
}
