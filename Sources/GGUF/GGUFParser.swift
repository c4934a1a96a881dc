/// Parses header, metadata and tensor directory out of a mapped GGUF file.
/// Layout (GGUF spec, v2/v3, little-endian):
///   magic u32 "GGUF" | version u32 | tensor_count u64 | kv_count u64
///   kv_count x (key string, value_type u32, value)
///   tensor_count x (name string, n_dims u32, dims u64[n_dims], type u32, offset u64)
///   padding to `general.alignment` (default 32) | tensor data (offsets relative to here)
struct GGUFParser {
    static let magic: UInt32 = 0x4655_4747  // "GGUF" read as little-endian u32
    static let maxDims = 8
    static let maxNesting = 8

    struct Result {
        var version: UInt32
        var metadata: [String: GGUFValue]
        var keyOrder: [String]
        var tensors: [GGUFTensorInfo]
        var alignment: Int
        var dataStart: Int
        var directoryEnd: Int
    }

    /// A directory entry before placement: offset still relative to the data section.
    typealias RawTensor = (name: String, dims: [Int], type: GGMLType, rel: Int, bytes: Int)

    var reader: ByteReader

    init(base: UnsafeRawPointer, size: Int) {
        reader = ByteReader(base: base, size: size)
    }

    mutating func parse() throws -> Result {
        let magic = try reader.read(UInt32.self)
        guard magic == Self.magic else { throw GGUFError.badMagic(found: magic) }
        let version = try reader.read(UInt32.self)
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(version) }
        // A tensor info takes at least 8+4+8+4+8 bytes; a kv at least 8+4+1.
        let tensorCount = try reader.readCount("tensor count", minBytesEach: 32)
        let kvCount = try reader.readCount("metadata kv count", minBytesEach: 13)

        var metadata: [String: GGUFValue] = [:]
        var keyOrder: [String] = []
        metadata.reserveCapacity(kvCount)
        for _ in 0..<kvCount {
            let key = try reader.readString()
            let typeAt = reader.offset
            let type = try reader.read(UInt32.self)
            let value = try readValue(type: type, key: key, typeAt: typeAt, depth: 0)
            guard metadata.updateValue(value, forKey: key) == nil else { throw GGUFError.duplicateKey(key) }
            keyOrder.append(key)
        }

        let alignment = try Self.alignment(metadata)
        var raw: [RawTensor] = []
        raw.reserveCapacity(tensorCount)
        for _ in 0..<tensorCount {
            raw.append(try readTensorInfo())
        }
        let directoryEnd = reader.offset
        let dataStart = (directoryEnd + alignment - 1) / alignment * alignment
        let tensors = try Self.place(raw, dataStart: dataStart, alignment: alignment, fileSize: reader.size)
        return Result(version: version, metadata: metadata, keyOrder: keyOrder, tensors: tensors,
                      alignment: alignment, dataStart: dataStart, directoryEnd: directoryEnd)
    }

    private static func alignment(_ metadata: [String: GGUFValue]) throws -> Int {
        guard let value = metadata["general.alignment"] else { return 32 }
        guard let a = value.intValue else {
            throw GGUFError.wrongType(key: "general.alignment", expected: "uint32", found: value.typeName)
        }
        guard a > 0, a & (a - 1) == 0, a <= 1 << 20 else { throw GGUFError.badAlignment(UInt64(clamping: a)) }
        return a
    }

    private mutating func readValue(type: UInt32, key: String, typeAt: Int, depth: Int) throws -> GGUFValue {
        switch type {
        case 0: return .uint8(try reader.read(UInt8.self))
        case 1: return .int8(try reader.read(Int8.self))
        case 2: return .uint16(try reader.read(UInt16.self))
        case 3: return .int16(try reader.read(Int16.self))
        case 4: return .uint32(try reader.read(UInt32.self))
        case 5: return .int32(try reader.read(Int32.self))
        case 6: return .float32(try reader.readFloat())
        case 7:
            let at = reader.offset
            let b = try reader.read(UInt8.self)
            guard b <= 1 else { throw GGUFError.wrongType(key: key, expected: "bool (0 or 1)", found: "byte \(b) at offset \(at)") }
            return .bool(b == 1)
        case 8: return .string(try reader.readString())
        case 9: return try readArray(key: key, depth: depth)
        case 10: return .uint64(try reader.read(UInt64.self))
        case 11: return .int64(try reader.read(Int64.self))
        case 12: return .float64(try reader.readDouble())
        default: throw GGUFError.unknownValueType(key: key, type: type, offset: typeAt)
        }
    }

    private static func minimumSize(ofType type: UInt32) -> Int {
        switch type {
        case 0, 1, 7: return 1
        case 2, 3: return 2
        case 4, 5, 6: return 4
        case 8, 10, 11, 12: return 8
        case 9: return 12
        default: return 1
        }
    }

    private mutating func readArray(key: String, depth: Int) throws -> GGUFValue {
        let typeAt = reader.offset
        let elementType = try reader.read(UInt32.self)
        guard elementType <= 12 else { throw GGUFError.unknownValueType(key: key, type: elementType, offset: typeAt) }
        guard depth < Self.maxNesting else {
            throw GGUFError.implausibleCount(what: "array nesting depth for '\(key)'", count: UInt64(depth), offset: typeAt)
        }
        let count = try reader.readCount("array length for '\(key)'", minBytesEach: Self.minimumSize(ofType: elementType))
        var items: [GGUFValue] = []
        items.reserveCapacity(count)
        for _ in 0..<count {
            items.append(try readValue(type: elementType, key: key, typeAt: typeAt, depth: depth + 1))
        }
        return .array(items)
    }

    private mutating func readTensorInfo() throws -> RawTensor {
        let name = try reader.readString()
        let nDimsAt = reader.offset
        let nDims = try reader.read(UInt32.self)
        guard nDims >= 1, nDims <= Self.maxDims else {
            throw GGUFError.implausibleCount(what: "n_dims of tensor '\(name)'", count: UInt64(nDims), offset: nDimsAt)
        }
        var rawDims: [UInt64] = []
        for _ in 0..<nDims { rawDims.append(try reader.read(UInt64.self)) }
        let typeCode = try reader.read(UInt32.self)
        let rel = try reader.read(UInt64.self)
        guard let type = GGMLType(rawValue: typeCode) else {
            throw GGUFError.unknownTensorType(name: name, type: typeCode)
        }
        var elements = 1
        var dims: [Int] = []
        for d in rawDims {
            guard d >= 1, d <= UInt64(Int32.max) * 64 else { throw GGUFError.badTensorShape(name: name, dims: rawDims) }
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(d))
            guard !overflow else { throw GGUFError.badTensorShape(name: name, dims: rawDims) }
            elements = product
            dims.append(Int(d))
        }
        // ggml quantizes along rows, so the row length must be a whole number of blocks.
        guard dims[0] % type.blockElements == 0, let bytes = type.byteCount(elements: elements) else {
            throw GGUFError.tensorSizeMismatch(name: name, elements: dims[0], blockElements: type.blockElements)
        }
        guard rel <= UInt64(Int.max / 2) else {
            throw GGUFError.tensorOutOfBounds(name: name, offset: Int.max, byteCount: bytes, fileSize: reader.size)
        }
        return (name, dims, type, Int(rel), bytes)
    }

    /// Turns relative offsets into absolute ones and checks alignment, bounds and overlap.
    private static func place(_ raw: [RawTensor],
                              dataStart: Int, alignment: Int, fileSize: Int) throws -> [GGUFTensorInfo] {
        var seen = Set<String>()
        var out: [GGUFTensorInfo] = []
        out.reserveCapacity(raw.count)
        for t in raw {
            guard seen.insert(t.name).inserted else { throw GGUFError.duplicateTensor(t.name) }
            guard t.rel % alignment == 0 else {
                throw GGUFError.tensorMisaligned(name: t.name, offset: dataStart + t.rel, alignment: alignment)
            }
            let start = dataStart + t.rel
            guard t.bytes <= fileSize, start <= fileSize - t.bytes else {
                throw GGUFError.tensorOutOfBounds(name: t.name, offset: start, byteCount: t.bytes, fileSize: fileSize)
            }
            out.append(GGUFTensorInfo(name: t.name, dims: t.dims, type: t.type, offset: start, byteCount: t.bytes))
        }
        let byOffset = out.sorted { $0.offset < $1.offset }
        for (a, b) in zip(byOffset, byOffset.dropFirst()) where a.offset + a.byteCount > b.offset {
            throw GGUFError.tensorOverlap(name: a.name, other: b.name)
        }
        return out
    }
}
