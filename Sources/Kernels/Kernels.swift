/// Namespace for the numeric kernels. Buffers are raw pointers owned by the caller; shapes
/// are given per function. Matrix products are in MatVec.swift, vector ops in VectorOps.swift.
public enum Kernels {
    /// Dequantizes `count` elements (a whole number of blocks) of `format` data.
    public static func dequantize(_ format: BlockFormat, _ data: UnsafeRawPointer, count: Int) -> [Float] {
        let blocks = count / format.blockElements
        return [Float](unsafeUninitializedCapacity: blocks * format.blockElements) { buf, initialized in
            if let out = buf.baseAddress { Dequantize.blocks(format, data, blocks, out) }
            initialized = blocks * format.blockElements
        }
    }

    /// Row `row` of w as floats (embedding lookup). into: [w.cols]
    public static func dequantizeRow(_ w: WeightMatrix, row: Int, into out: UnsafeMutablePointer<Float>) {
        Dequantize.blocks(w.format, w.row(row), w.cols / w.format.blockElements, out)
    }
}
