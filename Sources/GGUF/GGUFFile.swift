#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A GGUF model file mapped read-only into memory. Tensor data pointers point into the
/// mapping and stay valid for the lifetime of this object.
// @unchecked: immutable after init; the raw pointers point into a read-only mapping.
public final class GGUFFile: @unchecked Sendable {
    public let path: String
    public let version: UInt32
    public let fileSize: Int
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensor directory in file order.
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Absolute offset of the tensor data section.
    public let dataOffset: Int
    /// Stable fingerprint: 64-bit FNV-1a over header + metadata + tensor directory bytes, plus the file size.
    public let identity: String

    private let base: UnsafeRawPointer
    private let mappedLength: Int
    private let byName: [String: Int]

    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GGUFError.cannotOpen(path: path, errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw GGUFError.cannotOpen(path: path, errno: errno) }
        let size = Int(st.st_size)
        // mmap of length 0 fails; map one page so an empty file reports "truncated" instead.
        let length = max(size, 1)
        guard let raw = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), raw != MAP_FAILED else {
            throw GGUFError.cannotMap(path: path, errno: errno)
        }
        let base = UnsafeRawPointer(raw)
        do {
            var parser = GGUFParser(base: base, size: size)
            let r = try parser.parse()
            self.version = r.version
            self.metadata = r.metadata
            self.metadataKeys = r.keyOrder
            self.tensors = r.tensors
            self.alignment = r.alignment
            self.dataOffset = r.dataStart
            self.identity = Self.fingerprint(base, count: r.directoryEnd, fileSize: size)
        } catch {
            munmap(raw, length)
            throw error
        }
        self.path = path
        self.fileSize = size
        self.base = base
        self.mappedLength = length
        var index: [String: Int] = [:]
        for (i, t) in tensors.enumerated() { index[t.name] = i }
        self.byName = index
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
    }

    public func tensor(named name: String) -> GGUFTensorInfo? {
        byName[name].map { tensors[$0] }
    }

    /// Pointer to the tensor's first byte inside the mapping (bounds were checked at open).
    public func data(of tensor: GGUFTensorInfo) -> UnsafeRawPointer {
        base + tensor.offset
    }

    /// The whole mapping, e.g. for checksums.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: fileSize)
    }

    private static func fingerprint(_ p: UnsafeRawPointer, count: Int, fileSize: Int) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let bytes = p.assumingMemoryBound(to: UInt8.self)
        for i in 0..<count {
            h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return "gguf-" + String(repeating: "0", count: 16 - hex.count) + hex + "-\(fileSize)"
    }
}
