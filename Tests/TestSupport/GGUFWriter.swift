#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GGUF

/// Writes a GGUF v3 file (little-endian) from metadata and raw tensor bytes. Used by tests
/// across modules to build small model files; metadata and tensors keep insertion order.
public struct GGUFWriter {
    public let alignment: Int
    private var keys: [String] = []
    private var values: [String: GGUFValue] = [:]
    private var tensors: [(name: String, dims: [Int], type: GGMLType, bytes: [UInt8])] = []

    public init(alignment: Int = 32) {
        self.alignment = alignment
    }

    /// Sets a metadata value; setting an existing key replaces it in place.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        if values.updateValue(value, forKey: key) == nil { keys.append(key) }
    }

    /// Adds a tensor; `dims` in ggml order (dims[0] = row length). Throws when the byte
    /// count does not match the shape and type.
    public mutating func addTensor(name: String, dims: [Int], type: GGMLType, bytes: [UInt8]) throws {
        let elements = dims.reduce(1, *)
        guard !dims.isEmpty, dims.allSatisfy({ $0 > 0 }), dims[0] % type.blockElements == 0,
              let expected = type.byteCount(elements: elements) else {
            throw GGUFWriterError("tensor '\(name)': dims \(dims) do not fit type \(type)")
        }
        guard expected == bytes.count else {
            throw GGUFWriterError("tensor '\(name)': \(bytes.count) bytes given, \(expected) needed")
        }
        guard !tensors.contains(where: { $0.name == name }) else {
            throw GGUFWriterError("duplicate tensor '\(name)'")
        }
        tensors.append((name, dims, type, bytes))
    }

    /// F32 convenience.
    public mutating func addTensor(name: String, dims: [Int], floats: [Float]) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(floats.count * 4)
        for f in floats { appendLE(&bytes, f.bitPattern) }
        try addTensor(name: name, dims: dims, type: .f32, bytes: bytes)
    }

    public func encode() throws -> [UInt8] {
        guard alignment > 0, alignment & (alignment - 1) == 0 else {
            throw GGUFWriterError("alignment \(alignment) is not a power of two")
        }
        var kv = keys.map { ($0, values[$0] ?? .uint8(0)) }
        if alignment != 32, values["general.alignment"] == nil {
            kv.append(("general.alignment", .uint32(UInt32(alignment))))
        }
        var out: [UInt8] = []
        appendLE(&out, UInt32(0x4655_4747))
        appendLE(&out, UInt32(3))
        appendLE(&out, UInt64(tensors.count))
        appendLE(&out, UInt64(kv.count))
        for (key, value) in kv {
            appendString(&out, key)
            appendLE(&out, value.typeCode)
            try appendValue(&out, value, key: key)
        }
        var relative = 0
        var offsets: [Int] = []
        for t in tensors {
            appendString(&out, t.name)
            appendLE(&out, UInt32(t.dims.count))
            for d in t.dims { appendLE(&out, UInt64(d)) }
            appendLE(&out, t.type.rawValue)
            appendLE(&out, UInt64(relative))
            offsets.append(relative)
            relative = (relative + t.bytes.count + alignment - 1) / alignment * alignment
        }
        pad(&out, toMultipleOf: alignment)
        let dataStart = out.count
        for (t, rel) in zip(tensors, offsets) {
            // Each tensor starts at an aligned offset from the (aligned) data section start.
            out.append(contentsOf: repeatElement(0, count: dataStart + rel - out.count))
            out.append(contentsOf: t.bytes)
        }
        return out
    }

    public func write(to path: String) throws {
        let bytes = try encode()
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GGUFWriterError("cannot write \(path) (errno \(errno))") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { buf -> Int in
                guard let start = buf.baseAddress else { return 0 }
                return posixWrite(fd, start + done, buf.count - done)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw GGUFWriterError("cannot write \(path) (errno \(errno))") }
            done += n
        }
    }

    private func appendValue(_ out: inout [UInt8], _ value: GGUFValue, key: String) throws {
        switch value {
        case .uint8(let v): out.append(v)
        case .int8(let v): out.append(UInt8(bitPattern: v))
        case .uint16(let v): appendLE(&out, v)
        case .int16(let v): appendLE(&out, v)
        case .uint32(let v): appendLE(&out, v)
        case .int32(let v): appendLE(&out, v)
        case .uint64(let v): appendLE(&out, v)
        case .int64(let v): appendLE(&out, v)
        case .float32(let v): appendLE(&out, v.bitPattern)
        case .float64(let v): appendLE(&out, v.bitPattern)
        case .bool(let v): out.append(v ? 1 : 0)
        case .string(let s): appendString(&out, s)
        case .array(let items):
            // An empty array has no element to take the type from; uint8 is as good as any.
            let type = items.first?.typeCode ?? 0
            guard items.allSatisfy({ $0.typeCode == type }) else {
                throw GGUFWriterError("metadata array '\(key)' mixes element types")
            }
            appendLE(&out, type)
            appendLE(&out, UInt64(items.count))
            for item in items { try appendValue(&out, item, key: key) }
        }
    }

    private func appendString(_ out: inout [UInt8], _ s: String) {
        appendLE(&out, UInt64(s.utf8.count))
        out.append(contentsOf: s.utf8)
    }

    private func pad(_ out: inout [UInt8], toMultipleOf a: Int) {
        let rem = out.count % a
        if rem != 0 { out.append(contentsOf: repeatElement(0, count: a - rem)) }
    }
}

private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, p, n)
}

@inline(__always)
private func appendLE<T: FixedWidthInteger>(_ out: inout [UInt8], _ v: T) {
    withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
}

/// Bad input to the test writer (tests only, so one message is enough).
public struct GGUFWriterError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = "GGUF writer: " + description }
}
