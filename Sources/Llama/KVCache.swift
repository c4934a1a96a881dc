/// The attention key/value cache of one conversation, owned by the session layer.
///
/// Storage is f32 (exact, and the attention kernels read it without conversion):
/// per layer K and V of `[capacity][kvHeads * headDim]`, row t = token position t.
/// The buffers grow in steps of `growthStep` tokens (or by half the capacity, whichever is
/// larger), never copied whole per token. Copies share storage until one is written
/// (copy-on-write), so a copy is a cheap snapshot.
public struct KVCache {
    /// Tokens held; the next forward starts at this RoPE position.
    public private(set) var count: Int = 0
    /// Largest number of tokens the model accepts (its context length).
    public let maxTokens: Int
    public let layers: Int
    /// Floats per K (or V) row: kvHeads * headDim.
    public let rowWidth: Int
    var storage: KVStorage

    static let growthStep = 256

    public init(layers: Int, rowWidth: Int, maxTokens: Int, reserve: Int = 0) {
        self.layers = layers
        self.rowWidth = rowWidth
        self.maxTokens = maxTokens
        storage = KVStorage(layers: layers, rowWidth: rowWidth, capacity: min(max(reserve, 0), maxTokens))
    }

    /// Bytes one token takes in the cache (all layers, K and V).
    public var bytesPerToken: Int { layers * 2 * rowWidth * MemoryLayout<Float>.size }
    /// Bytes of the tokens held.
    public var byteCount: Int { count * bytesPerToken }
    /// Bytes allocated (capacity, including room not yet used).
    public var allocatedByteCount: Int { storage.capacity * bytesPerToken }
    public var capacity: Int { storage.capacity }

    /// Forgets every token at position >= `newCount` (keeps the allocation).
    public mutating func truncate(to newCount: Int) {
        count = max(0, min(newCount, count))
    }

    public mutating func removeAll() { count = 0 }

    /// Makes room for `extra` more tokens and a private (unshared) storage; called by the
    /// model before it writes rows count..<count+extra.
    mutating func prepareAppend(_ extra: Int) {
        let needed = count + extra
        var newCapacity = storage.capacity
        if needed > newCapacity {
            let stepped = (needed + Self.growthStep - 1) / Self.growthStep * Self.growthStep
            newCapacity = min(max(stepped, storage.capacity + storage.capacity / 2), max(maxTokens, needed))
        }
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy(rows: count, capacity: newCapacity)
        } else if newCapacity > storage.capacity {
            storage.grow(to: newCapacity, keeping: count)
        }
    }

    /// Marks `n` rows written by the model as held.
    mutating func commitAppend(_ n: Int) { count += n }

    /// Pointer to row `position` of layer `layer`'s K buffer (valid until the next mutation).
    func keyRow(layer: Int, position: Int) -> UnsafeMutablePointer<Float> {
        storage.keys[layer] + position * rowWidth
    }

    func valueRow(layer: Int, position: Int) -> UnsafeMutablePointer<Float> {
        storage.values[layer] + position * rowWidth
    }
}
