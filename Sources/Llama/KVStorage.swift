/// The heap buffers behind a `KVCache`: per layer one K and one V buffer, each
/// `[capacity][rowBytes]` bytes, row t holding token position t (K already rotated by RoPE) in
/// the cache's element type. Shared between cache copies until one of them writes
/// (copy-on-write in `KVCache`).
final class KVStorage {
    let layers: Int
    let rowBytes: Int
    private(set) var capacity: Int
    private(set) var keys: [UnsafeMutableRawPointer]
    private(set) var values: [UnsafeMutableRawPointer]

    init(layers: Int, rowBytes: Int, capacity: Int) {
        self.layers = layers
        self.rowBytes = rowBytes
        self.capacity = capacity
        let n = Self.bufferBytes(capacity: capacity, rowBytes: rowBytes)
        keys = (0..<layers).map { _ in Self.allocate(n) }
        values = (0..<layers).map { _ in Self.allocate(n) }
    }

    deinit {
        for p in keys { p.deallocate() }
        for p in values { p.deallocate() }
    }

    /// Bytes held by the buffers (all layers, K and V), whether rows are in use or not.
    var allocatedBytes: Int { layers * 2 * Self.bufferBytes(capacity: capacity, rowBytes: rowBytes) }

    /// A copy holding the first `rows` rows, with room for `capacity` rows.
    func copy(rows: Int, capacity: Int) -> KVStorage {
        let c = KVStorage(layers: layers, rowBytes: rowBytes, capacity: capacity)
        for l in 0..<layers {
            c.keys[l].copyMemory(from: keys[l], byteCount: rows * rowBytes)
            c.values[l].copyMemory(from: values[l], byteCount: rows * rowBytes)
        }
        return c
    }

    /// Grows every buffer to `newCapacity` rows, keeping the first `rows` rows.
    func grow(to newCapacity: Int, keeping rows: Int) {
        guard newCapacity > capacity else { return }
        let n = Self.bufferBytes(capacity: newCapacity, rowBytes: rowBytes)
        for l in 0..<layers {
            let k = Self.allocate(n), v = Self.allocate(n)
            k.copyMemory(from: keys[l], byteCount: rows * rowBytes)
            v.copyMemory(from: values[l], byteCount: rows * rowBytes)
            keys[l].deallocate()
            values[l].deallocate()
            keys[l] = k
            values[l] = v
        }
        capacity = newCapacity
    }

    private static func bufferBytes(capacity: Int, rowBytes: Int) -> Int { max(capacity * rowBytes, 1) }

    /// Zeroed, so the bytes counted are bytes the process really holds (and no row is garbage).
    private static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        let p = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        return p
    }
}
