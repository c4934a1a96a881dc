import Kernels

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
    /// straight into the storage: the header, then per layer the K rows and the V rows of the new
    /// positions (each one contiguous buffer). Rows of the cache's own type land in place with no
    /// intermediate copy, so a session loaded from disk costs its cache and nothing more; rows of
    /// another type (a log written under another `kv_cache_type`) pass through one layer-sized
    /// buffer and are converted.
    public mutating func appendSerialized(tokenCount: Int, read: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        var header = [UInt8](repeating: 0, count: 4)
        try header.withUnsafeMutableBytes { try read($0) }
        let size = header == Self.legacyMagic ? 16 : Self.headerBytes
        var rest = [UInt8](repeating: 0, count: size - 4)
        try rest.withUnsafeMutableBytes { try read($0) }
        let format = try checkSerializedHeader(header + rest, tokenCount: tokenCount).format
        guard count + tokenCount <= maxTokens else {
            throw LlamaError.contextOverflow(start: count, tokens: tokenCount, limit: maxTokens)
        }
        prepareAppend(tokenCount)
        guard tokenCount > 0 else { return }
        if format == type.rowFormat {
            let n = tokenCount * rowBytes
            for l in 0..<layers {
                try read(UnsafeMutableRawBufferPointer(start: storage.keys[l] + count * rowBytes, count: n))
                try read(UnsafeMutableRawBufferPointer(start: storage.values[l] + count * rowBytes, count: n))
            }
        } else {
            var rows = [UInt8](repeating: 0, count: tokenCount * format.byteCount(elements: rowWidth))
            for l in 0..<layers {
                for buffer in [storage.keys[l], storage.values[l]] {
                    try rows.withUnsafeMutableBytes { try read($0) }
                    rows.withUnsafeBytes { copyRows(from: $0.baseAddress!, format: format, to: buffer, tokens: tokenCount) }
                }
            }
        }
        commitAppend(tokenCount)
    }

    /// Parses a serialized header and checks it against this cache and the expected token
    /// count; returns it (the rows' element format, the header's size).
    func checkSerializedHeader(_ bytes: [UInt8], tokenCount: Int) throws -> SerializedHeader {
        let header = try SerializedHeader(bytes)
        guard header.layers == layers, header.rowWidth == rowWidth else {
            throw LlamaError.badSerializedCache(
                "made for \(header.layers) layers x row width \(header.rowWidth), this cache has \(layers) x \(rowWidth)")
        }
        guard header.tokens == tokenCount, tokenCount >= 0 else {
            throw LlamaError.badSerializedCache("header says \(header.tokens) tokens, caller expects \(tokenCount)")
        }
        return header
    }
}
