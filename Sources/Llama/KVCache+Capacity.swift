/// Capacity control for the session layer's KV budget, which counts allocated bytes: a turn
/// reserves exactly what it may use (no growth-step slack), an idle cache gives back the rest.
extension KVCache {
    /// Bytes an allocation of exactly `tokens` tokens takes (capped at the context length).
    public func allocatedBytes(forTokens tokens: Int) -> Int {
        min(max(tokens, 0), maxTokens) * bytesPerToken
    }

    /// Grows the storage to hold `tokens` tokens (capped at the context length) in one step.
    public mutating func reserveCapacity(_ tokens: Int) {
        let target = min(tokens, maxTokens)
        guard target > storage.capacity else { return }
        if isKnownUniquelyReferenced(&storage) {
            storage.grow(to: target, keeping: count)
        } else {
            storage = storage.copy(rows: count, capacity: target)
        }
    }

    /// Gives back the capacity beyond `count`. A shared storage (a fork's snapshot) is left
    /// alone: copying it would add memory, not free it.
    public mutating func shrinkToFit() {
        guard storage.capacity > count, isKnownUniquelyReferenced(&storage) else { return }
        storage = storage.copy(rows: count, capacity: count)
    }

    /// Appends `tokenCount` tokens in the form `serialized(tokens:)` makes, read by `read`
    /// straight into the storage: first the 16-byte header, then per layer the K rows and the
    /// V rows of the new positions (each one contiguous buffer). No intermediate copy, so a
    /// session loaded from disk costs its cache and nothing more.
    public mutating func appendSerialized(tokenCount: Int, read: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        var header = [UInt8](repeating: 0, count: Self.headerBytes)
        try header.withUnsafeMutableBytes { try read($0) }
        try checkSerializedHeader(header, tokenCount: tokenCount)
        guard count + tokenCount <= maxTokens else {
            throw LlamaError.contextOverflow(start: count, tokens: tokenCount, limit: maxTokens)
        }
        prepareAppend(tokenCount)
        let n = tokenCount * rowWidth * MemoryLayout<Float>.size
        if n > 0 {
            for l in 0..<layers {
                try read(UnsafeMutableRawBufferPointer(start: keyRow(layer: l, position: count), count: n))
                try read(UnsafeMutableRawBufferPointer(start: valueRow(layer: l, position: count), count: n))
            }
        }
        commitAppend(tokenCount)
    }

    func checkSerializedHeader(_ bytes: [UInt8], tokenCount: Int) throws {
        guard bytes.count >= Self.headerBytes, Array(bytes[0..<4]) == Self.magic else {
            throw LlamaError.badSerializedCache("missing the KVC1 header")
        }
        let header = bytes.withUnsafeBytes { raw in
            (1...3).map { Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        guard header[0] == layers, header[1] == rowWidth else {
            throw LlamaError.badSerializedCache("made for \(header[0]) layers x row width \(header[1]), this cache has \(layers) x \(rowWidth)")
        }
        guard header[2] == tokenCount, tokenCount >= 0 else {
            throw LlamaError.badSerializedCache("header says \(header[2]) tokens, caller expects \(tokenCount)")
        }
    }
}
