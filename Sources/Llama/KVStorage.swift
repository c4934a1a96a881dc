/// The heap buffers behind a `KVCache`: per layer one K and one V buffer, each
/// `[capacity][rowWidth]` f32, row t holding token position t (K already rotated by RoPE).
/// Shared between cache copies until one of them writes (copy-on-write in `KVCache`).
final class KVStorage {
    let layers: Int
    let rowWidth: Int
    private(set) var capacity: Int
    private(set) var keys: [UnsafeMutablePointer<Float>]
    private(set) var values: [UnsafeMutablePointer<Float>]

    init(layers: Int, rowWidth: Int, capacity: Int) {
        self.layers = layers
        self.rowWidth = rowWidth
        self.capacity = capacity
        let n = max(capacity * rowWidth, 1)
        keys = (0..<layers).map { _ in Self.allocate(n) }
        values = (0..<layers).map { _ in Self.allocate(n) }
    }

    deinit {
        for p in keys { p.deallocate() }
        for p in values { p.deallocate() }
    }

    /// A copy holding the first `rows` rows, with room for `capacity` rows.
    func copy(rows: Int, capacity: Int) -> KVStorage {
        let c = KVStorage(layers: layers, rowWidth: rowWidth, capacity: capacity)
        for l in 0..<layers {
            c.keys[l].update(from: keys[l], count: rows * rowWidth)
            c.values[l].update(from: values[l], count: rows * rowWidth)
        }
        return c
    }

    /// Grows every buffer to `newCapacity` rows, keeping the first `rows` rows.
    func grow(to newCapacity: Int, keeping rows: Int) {
        guard newCapacity > capacity else { return }
        let n = newCapacity * rowWidth
        for l in 0..<layers {
            let k = Self.allocate(n), v = Self.allocate(n)
            k.update(from: keys[l], count: rows * rowWidth)
            v.update(from: values[l], count: rows * rowWidth)
            keys[l].deallocate()
            values[l].deallocate()
            keys[l] = k
            values[l] = v
        }
        capacity = newCapacity
    }

    private static func allocate(_ n: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
        p.initialize(repeating: 0, count: n)
        return p
    }
}
