/// Serialized form of a token range of a `KVCache` (what sessions write to disk per turn).
///
/// Layout, all little-endian: a 16-byte header
///   "KVC1" | layers: u32 | rowWidth: u32 | tokenCount: u32
/// then for each layer: K rows of the range `[tokenCount][rowWidth]` f32, then V rows the same.
extension KVCache {
    static let magic: [UInt8] = Array("KVC1".utf8)
    static let headerBytes = 16

    public func serialized(tokens: Range<Int>) -> [UInt8] {
        let r = tokens.clamped(to: 0..<count)
        let rowBytes = rowWidth * MemoryLayout<Float>.size
        var out = [UInt8](repeating: 0, count: Self.headerBytes + layers * 2 * r.count * rowBytes)
        out.withUnsafeMutableBytes { raw in
            for (i, b) in Self.magic.enumerated() { raw[i] = b }
            raw.storeBytes(of: UInt32(layers).littleEndian, toByteOffset: 4, as: UInt32.self)
            raw.storeBytes(of: UInt32(rowWidth).littleEndian, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: UInt32(r.count).littleEndian, toByteOffset: 12, as: UInt32.self)
            guard let base = raw.baseAddress, !r.isEmpty else { return }
            var offset = Self.headerBytes
            let n = r.count * rowBytes
            for l in 0..<layers {
                (base + offset).copyMemory(from: keyRow(layer: l, position: r.lowerBound), byteCount: n)
                offset += n
                (base + offset).copyMemory(from: valueRow(layer: l, position: r.lowerBound), byteCount: n)
                offset += n
            }
        }
        return out
    }

    /// Appends `tokenCount` tokens from bytes made by `serialized(tokens:)` of a cache of the
    /// same model; the tokens land at positions count..<count+tokenCount.
    public mutating func appendSerialized(_ bytes: [UInt8], tokenCount: Int) throws {
        let rowBytes = rowWidth * MemoryLayout<Float>.size
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
        let expected = Self.headerBytes + layers * 2 * tokenCount * rowBytes
        guard bytes.count == expected else {
            throw LlamaError.badSerializedCache("\(bytes.count) bytes, expected \(expected) for \(tokenCount) tokens")
        }
        guard count + tokenCount <= maxTokens else {
            throw LlamaError.contextOverflow(start: count, tokens: tokenCount, limit: maxTokens)
        }
        prepareAppend(tokenCount)
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, tokenCount > 0 else { return }
            var offset = Self.headerBytes
            let n = tokenCount * rowBytes
            for l in 0..<layers {
                UnsafeMutableRawPointer(keyRow(layer: l, position: count)).copyMemory(from: base + offset, byteCount: n)
                offset += n
                UnsafeMutableRawPointer(valueRow(layer: l, position: count)).copyMemory(from: base + offset, byteCount: n)
                offset += n
            }
        }
        commitAppend(tokenCount)
    }
}
