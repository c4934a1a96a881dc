import Kernels

/// The attention key/value cache of one conversation, owned by the session layer.
///
/// Per layer K and V of `[capacity][rowBytes]`, row t = token position t, each row the
/// `rowWidth = kvHeads * headDim` values in the cache's `type` (f16 by default, q8_0, or exact
/// f32). The model writes rows through `store` (converting from f32) and attention reads them
/// in place through `layerRows`. The buffers grow in steps of `growthStep` tokens (or by half
/// the capacity, whichever is larger), never copied whole per token. Copies share storage until
/// one is written (copy-on-write), so a copy is a cheap snapshot.
public struct KVCache {
    /// Tokens held; the next forward starts at this RoPE position.
    public private(set) var count: Int = 0
    /// Largest number of tokens the model accepts (its context length).
    public let maxTokens: Int
    public let layers: Int
    /// Values per K (or V) row: kvHeads * headDim.
    public let rowWidth: Int
    public let type: KVCacheType
    /// Bytes per K (or V) row in `type`.
    public let rowBytes: Int
    var storage: KVStorage

    static let growthStep = 256

    public init(layers: Int, rowWidth: Int, maxTokens: Int, type: KVCacheType = .f16, reserve: Int = 0) {
        self.layers = layers
        self.rowWidth = rowWidth
        self.maxTokens = maxTokens
        self.type = type
        rowBytes = type.rowBytes(width: rowWidth)
        storage = KVStorage(layers: layers, rowBytes: rowBytes, capacity: min(max(reserve, 0), maxTokens))
    }

    /// Bytes one token takes in the cache (all layers, K and V).
    public var bytesPerToken: Int { layers * 2 * rowBytes }
    /// Bytes of the tokens held.
    public var byteCount: Int { count * bytesPerToken }
    /// Bytes allocated (capacity, including room not yet used): what the process really holds.
    public var allocatedByteCount: Int { storage.allocatedBytes }
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

    /// Writes rows position..<position+n of layer `layer` from f32 keys / values `[n][rowWidth]`,
    /// converted to the cache's type. The rows must be within capacity (after `prepareAppend`).
    func store(layer: Int, position: Int, rows n: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>) {
        let f = type.rowFormat
        for r in 0..<n {
            let offset = (position + r) * rowBytes
            Kernels.storeKVRow(f, keys + r * rowWidth, into: storage.keys[layer] + offset, n: rowWidth)
            Kernels.storeKVRow(f, values + r * rowWidth, into: storage.values[layer] + offset, n: rowWidth)
        }
    }

    /// Layer `layer`'s K and V rows as attention reads them (valid until the next mutation).
    func layerRows(_ layer: Int) -> KVLayerRows {
        KVLayerRows(format: type.rowFormat, keys: UnsafeRawPointer(storage.keys[layer]),
                    values: UnsafeRawPointer(storage.values[layer]), rowBytes: rowBytes)
    }
}

/// One layer of a cache for the attention loops: row t of K at keys + t * rowBytes, of V at
/// values + t * rowBytes, in `format`.
struct KVLayerRows {
    let format: BlockFormat
    let keys: UnsafeRawPointer
    let values: UnsafeRawPointer
    let rowBytes: Int

    /// Byte offset of value `elements` within a row (a head's start: a whole number of blocks).
    func offset(elements: Int) -> Int { format.byteCount(elements: elements) }
}
