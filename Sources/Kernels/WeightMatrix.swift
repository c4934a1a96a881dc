/// A row-major weight matrix kept in its storage format: `rows` rows of `cols` elements,
/// each row `cols / blockElements` consecutive blocks. For a GGUF tensor with dims
/// [d0, d1], cols = d0 and rows = d1. `data` usually points into the model's mmap.
// @unchecked: a read-only view (the pointer is into the model's read-only mapping).
public struct WeightMatrix: @unchecked Sendable {
    public let format: BlockFormat
    public let rows: Int
    public let cols: Int
    public let data: UnsafeRawPointer
    /// Bytes from one row to the next.
    public let rowBytes: Int

    /// `cols` must be a whole number of blocks; the GGUF reader guarantees this for tensors it
    /// accepted (it checks the row length against the block size), so this is a programming error.
    public init(format: BlockFormat, rows: Int, cols: Int, data: UnsafeRawPointer) {
        precondition(rows >= 0 && cols >= 0 && cols % format.blockElements == 0,
                     "WeightMatrix: \(cols) columns is not a whole number of \(format) blocks")
        self.format = format
        self.rows = rows
        self.cols = cols
        self.data = data
        self.rowBytes = format.byteCount(elements: cols)
    }

    /// Start of row `r`.
    @inline(__always)
    public func row(_ r: Int) -> UnsafeRawPointer {
        data + r * rowBytes
    }
}
