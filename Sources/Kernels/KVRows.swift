import CKernels

/// KV cache rows in f32, f16 or q8_0 (`BlockFormat` layouts: f16 = IEEE halves, q8_0 = blocks
/// of {half d, int8 qs[32]}): storing a row of floats, reading one back, and the two attention
/// loops reading the rows in place. The C kernels (ck_attention.c) run when the CPU has
/// AVX2/FMA/F16C; `KVRowsSwift` is the portable fallback and the tests' oracle.
extension Kernels {
    /// Formats a KV cache row may use.
    public static let kvRowFormats: [BlockFormat] = [.f32, .f16, .q8_0]

    /// row = x[0..<n] in `format` (n a whole number of blocks).
    public static func storeKVRow(_ format: BlockFormat, _ x: UnsafePointer<Float>, into row: UnsafeMutableRawPointer,
                                  n: Int) {
        if ck_kv_store(Int32(format.rawValue), x, row, Int32(n)) != 0 { return }
        KVRowsSwift.store(format, x, into: row, n: n)
    }

    /// x[0..<n] = the row decoded to floats.
    public static func loadKVRow(_ format: BlockFormat, _ row: UnsafeRawPointer, into x: UnsafeMutablePointer<Float>,
                                 n: Int) {
        if ck_kv_load(Int32(format.rawValue), row, x, Int32(n)) != 0 { return }
        KVRowsSwift.load(format, row, into: x, n: n)
    }

    /// scores[p] = scale * dot(q, row p) for p in 0..<count, row p's n elements at
    /// keys + p * rowBytes. f32 rows take the float kernel (`dotRows` above, 512-bit where the CPU has it).
    public static func dotRows(_ format: BlockFormat, _ q: UnsafePointer<Float>, _ keys: UnsafeRawPointer, rowBytes: Int,
                               count: Int, n: Int, scale: Float, into scores: UnsafeMutablePointer<Float>) {
        guard count > 0 else { return }
        if format == .f32 {
            let k = keys.assumingMemoryBound(to: Float.self)
            return dotRows(q, k, stride: rowBytes / 4, count: count, n: n, scale: scale, into: scores)
        }
        if ck_kv_dot_rows(Int32(format.rawValue), q, keys, rowBytes, Int32(count), Int32(n), scale, scores) != 0 { return }
        KVRowsSwift.dotRows(format, q, keys, rowBytes: rowBytes, count: count, n: n, scale: scale, into: scores)
    }

    /// out[i] += sum_p weights[p] * (row p)[i] for i in 0..<n, p in 0..<count.
    public static func axpyRows(_ format: BlockFormat, _ weights: UnsafePointer<Float>, _ values: UnsafeRawPointer,
                                rowBytes: Int, count: Int, n: Int, into out: UnsafeMutablePointer<Float>) {
        guard count > 0 else { return }
        if format == .f32 {
            let v = values.assumingMemoryBound(to: Float.self)
            return axpyRows(weights, v, stride: rowBytes / 4, count: count, n: n, into: out)
        }
        if ck_kv_axpy_rows(Int32(format.rawValue), weights, values, rowBytes, Int32(count), Int32(n), out) != 0 { return }
        KVRowsSwift.axpyRows(format, weights, values, rowBytes: rowBytes, count: count, n: n, into: out)
    }

    /// `dotRows` for the `heads` query heads of a grouped-query attention group, which read the
    /// same rows: head j's query at q + j * qStride, its scores at scores + j * scoresStride.
    /// The C kernel decodes each f16 / q8_0 row once for all heads.
    public static func groupDotRows(_ format: BlockFormat, _ q: UnsafePointer<Float>, qStride: Int, heads: Int,
                                    _ keys: UnsafeRawPointer, rowBytes: Int, count: Int, n: Int, scale: Float,
                                    into scores: UnsafeMutablePointer<Float>, scoresStride: Int) {
        guard count > 0 else { return }
        if ck_kv_group_dot_rows(Int32(format.rawValue), q, qStride, Int32(heads), keys, rowBytes, Int32(count), Int32(n),
                                scale, scores, scoresStride) != 0 { return }
        for p0 in stride(from: 0, to: count, by: groupBlock) {
            let m = min(groupBlock, count - p0)
            for j in 0..<heads {
                dotRows(format, q + j * qStride, keys + p0 * rowBytes, rowBytes: rowBytes, count: m, n: n, scale: scale,
                        into: scores + j * scoresStride + p0)
            }
        }
    }

    /// Rows per block when the group's heads run one by one (small groups, the Swift path): a
    /// block of K (V) rows stays in L1 while every head of the group reads it.
    static let groupBlock = 64

    /// `axpyRows` for the `heads` heads of a group: head j's weights at weights + j * weightsStride,
    /// its output at out + j * outStride.
    public static func groupAxpyRows(_ format: BlockFormat, _ weights: UnsafePointer<Float>, weightsStride: Int, heads: Int,
                                     _ values: UnsafeRawPointer, rowBytes: Int, count: Int, n: Int,
                                     into out: UnsafeMutablePointer<Float>, outStride: Int) {
        guard count > 0 else { return }
        if ck_kv_group_axpy_rows(Int32(format.rawValue), weights, weightsStride, Int32(heads), values, rowBytes, Int32(count),
                                 Int32(n), out, outStride) != 0 { return }
        for p0 in stride(from: 0, to: count, by: groupBlock) {
            let m = min(groupBlock, count - p0)
            for j in 0..<heads {
                axpyRows(format, weights + j * weightsStride + p0, values + p0 * rowBytes, rowBytes: rowBytes, count: m, n: n,
                         into: out + j * outStride)
            }
        }
    }
}

/// Plain Swift versions of the KV row kernels: same roundings as the C ones (f16 and the q8_0
/// scale round to nearest even, as F16C's vcvtps2ph; q8_0 values round half to even, as
/// vcvtps2dq), so stored bytes are identical and dot products differ only in summation order.
enum KVRowsSwift {
    static func store(_ format: BlockFormat, _ x: UnsafePointer<Float>, into row: UnsafeMutableRawPointer, n: Int) {
        switch format {
        case .f16:
            for i in 0..<n { row.storeBytes(of: Float16(x[i]).bitPattern, toByteOffset: 2 * i, as: UInt16.self) }
        case .q8_0:
            for b in 0..<(n / 32) { quantizeQ8_0(x + 32 * b, into: row + 34 * b) }
        default:
            row.copyMemory(from: x, byteCount: n * 4)
        }
    }

    static func load(_ format: BlockFormat, _ row: UnsafeRawPointer, into x: UnsafeMutablePointer<Float>, n: Int) {
        switch format {
        case .f16: for i in 0..<n { x[i] = loadHalf(row, 2 * i) }
        case .q8_0: Dequantize.blocks(.q8_0, row, n / 32, x)
        default: x.update(from: row.assumingMemoryBound(to: Float.self), count: n)
        }
    }

    /// ggml's q8_0: d = max|x| / 127 stored as a half, qs = round(x * (1 / d)) with the f32 d.
    static func quantizeQ8_0(_ x: UnsafePointer<Float>, into block: UnsafeMutableRawPointer) {
        var amax: Float = 0
        for j in 0..<32 { amax = max(amax, abs(x[j])) }
        let d = amax / 127
        let id: Float = d != 0 ? 1 / d : 0
        block.storeBytes(of: Float16(d).bitPattern, as: UInt16.self)
        for j in 0..<32 {
            let q = Int8((x[j] * id).rounded(.toNearestOrEven))
            block.storeBytes(of: q, toByteOffset: 2 + j, as: Int8.self)
        }
    }

    static func dotRows(_ format: BlockFormat, _ q: UnsafePointer<Float>, _ keys: UnsafeRawPointer, rowBytes: Int,
                        count: Int, n: Int, scale: Float, into scores: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { row in
            guard let k = row.baseAddress else { return }
            for p in 0..<count {
                load(format, keys + p * rowBytes, into: k, n: n)
                scores[p] = Kernels.dot(q, k, n: n) * scale
            }
        }
    }

    static func axpyRows(_ format: BlockFormat, _ weights: UnsafePointer<Float>, _ values: UnsafeRawPointer,
                         rowBytes: Int, count: Int, n: Int, into out: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { row in
            guard let v = row.baseAddress else { return }
            for p in 0..<count {
                load(format, values + p * rowBytes, into: v, n: n)
                Kernels.axpy(weights[p], v, out, n: n)
            }
        }
    }
}
