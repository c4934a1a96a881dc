/// One entry of the tensor directory.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml order: dims[0] is the row length (contiguous), dims[1] the number of rows, ...
    public let dims: [Int]
    public let type: GGMLType
    /// Absolute offset of the tensor's first byte in the file.
    public let offset: Int
    public let byteCount: Int

    public init(name: String, dims: [Int], type: GGMLType, offset: Int, byteCount: Int) {
        self.name = name
        self.dims = dims
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
    }

    public var elementCount: Int { dims.reduce(1, *) }
}
