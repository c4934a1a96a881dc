/// Everything that can go wrong reading or writing a GGUF file. Each message names the
/// problem and where it is (byte offset, key or tensor name).
public enum GGUFError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, errno: Int32)
    case cannotMap(path: String, errno: Int32)
    case truncated(offset: Int, need: Int, fileSize: Int)
    case badMagic(found: UInt32)
    case unsupportedVersion(UInt32)
    case implausibleCount(what: String, count: UInt64, offset: Int)
    case unknownValueType(key: String, type: UInt32, offset: Int)
    case duplicateKey(String)
    case badAlignment(UInt64)
    case unknownTensorType(name: String, type: UInt32)
    case badTensorShape(name: String, dims: [UInt64])
    case tensorSizeMismatch(name: String, elements: Int, blockElements: Int)
    case tensorMisaligned(name: String, offset: Int, alignment: Int)
    case tensorOutOfBounds(name: String, offset: Int, byteCount: Int, fileSize: Int)
    case tensorOverlap(name: String, other: String)
    case duplicateTensor(String)
    case missingKey(String)
    case wrongType(key: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, e): return "GGUF: cannot open \(path) (errno \(e))"
        case let .cannotMap(path, e): return "GGUF: cannot mmap \(path) (errno \(e))"
        case let .truncated(offset, need, size):
            return "GGUF: file truncated: need \(need) bytes at offset \(offset), file has \(size) bytes"
        case let .badMagic(found):
            let hex = String(found, radix: 16)
            return "GGUF: bad magic 0x\(hex) at offset 0 (expected \"GGUF\" = 0x46554747)"
        case let .unsupportedVersion(v): return "GGUF: unsupported version \(v) at offset 4 (supported: 2, 3 little-endian)"
        case let .implausibleCount(what, count, offset):
            return "GGUF: implausible \(what) \(count) at offset \(offset) (larger than the file allows)"
        case let .unknownValueType(key, type, offset):
            return "GGUF: unknown metadata value type \(type) for key '\(key)' at offset \(offset)"
        case let .duplicateKey(key): return "GGUF: duplicate metadata key '\(key)'"
        case let .badAlignment(a): return "GGUF: general.alignment \(a) is not a power of two"
        case let .unknownTensorType(name, type): return "GGUF: tensor '\(name)' has unknown tensor type \(type)"
        case let .badTensorShape(name, dims): return "GGUF: tensor '\(name)' has invalid dims \(dims)"
        case let .tensorSizeMismatch(name, elements, block):
            return "GGUF: tensor '\(name)' size mismatch: row length \(elements) is not a multiple of its block size \(block)"
        case let .tensorMisaligned(name, offset, alignment):
            return "GGUF: tensor '\(name)' data offset \(offset) is not aligned to \(alignment)"
        case let .tensorOutOfBounds(name, offset, count, size):
            return "GGUF: tensor '\(name)' out of bounds: \(count) bytes at offset \(offset) exceed file size \(size)"
        case let .tensorOverlap(name, other): return "GGUF: tensor '\(name)' data overlaps tensor '\(other)' (wrong tensor size?)"
        case let .duplicateTensor(name): return "GGUF: duplicate tensor name '\(name)'"
        case let .missingKey(key): return "GGUF: missing metadata key '\(key)'"
        case let .wrongType(key, expected, found):
            return "GGUF: metadata key '\(key)' has type \(found), expected \(expected)"
        }
    }
}
