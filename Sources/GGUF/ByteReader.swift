/// Bounds-checked little-endian cursor over the mapped file. Every read checks the
/// remaining length first and throws `GGUFError.truncated` naming the offset.
struct ByteReader {
    let base: UnsafeRawPointer
    let size: Int
    private(set) var offset: Int = 0

    init(base: UnsafeRawPointer, size: Int) {
        self.base = base
        self.size = size
    }

    mutating func need(_ n: Int) throws {
        guard n >= 0, n <= size - offset else {
            throw GGUFError.truncated(offset: offset, need: n, fileSize: size)
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        try need(MemoryLayout<T>.size)
        let v = base.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    mutating func readFloat() throws -> Float { Float(bitPattern: try read(UInt32.self)) }
    mutating func readDouble() throws -> Double { Double(bitPattern: try read(UInt64.self)) }

    /// A count (array length, dims, string length) that must fit in what is left of the
    /// file at `minBytesEach` bytes per item: caps hostile counts before any allocation.
    mutating func readCount(_ what: String, minBytesEach: Int) throws -> Int {
        let at = offset
        let raw = try read(UInt64.self)
        // More items than bytes in the whole file: corrupt, not merely cut short.
        if raw > UInt64(size) {
            throw GGUFError.implausibleCount(what: what, count: raw, offset: at)
        }
        let count = Int(raw)
        if minBytesEach > 0, count > (size - offset) / minBytesEach {
            throw GGUFError.truncated(offset: offset, need: count * minBytesEach, fileSize: size)
        }
        return count
    }

    /// GGUF string: u64 byte length then UTF-8 bytes (no terminator).
    mutating func readString() throws -> String {
        let n = try readCount("string length", minBytesEach: 1)
        try need(n)
        let buf = UnsafeRawBufferPointer(start: base + offset, count: n)
        offset += n
        return String(decoding: buf, as: UTF8.self)
    }

    mutating func seek(to newOffset: Int) throws {
        guard newOffset >= 0, newOffset <= size else {
            throw GGUFError.truncated(offset: offset, need: newOffset - offset, fileSize: size)
        }
        offset = newOffset
    }
}
