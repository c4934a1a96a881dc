import Kernels

/// Serialized form of a token range of a `KVCache` (what sessions write to disk per turn).
///
/// Layout, all little-endian: a 20-byte header
///   "KVC2" | layers: u32 | rowWidth: u32 | tokenCount: u32 | element type: u32 (ggml type: 0 f32, 1 f16, 8 q8_0)
/// then for each layer: K rows of the range `[tokenCount][rowBytes]` in that type, then V rows
/// the same. The older "KVC1" form (16-byte header without the type, f32 rows) is still read.
/// Rows of another type than the cache's are converted on append (through f32), so a session
/// saved with one `kv_cache_type` loads under another. Converting f32 rows rounds them exactly
/// as the model rounds its own (same store kernel); later layers still differ slightly from a
/// run in the new type, whose attention read rounded rows all along.
extension KVCache {
    static let magic: [UInt8] = Array("KVC2".utf8)
    static let legacyMagic: [UInt8] = Array("KVC1".utf8)
    static let headerBytes = 20

    public func serialized(tokens: Range<Int>) -> [UInt8] {
        let r = tokens.clamped(to: 0..<count)
        var out = [UInt8](repeating: 0, count: Self.headerBytes + layers * 2 * r.count * rowBytes)
        out.withUnsafeMutableBytes { raw in
            for (i, b) in Self.magic.enumerated() { raw[i] = b }
            let fields = [layers, rowWidth, r.count, Int(type.rowFormat.rawValue)]
            for (i, v) in fields.enumerated() {
                raw.storeBytes(of: UInt32(v).littleEndian, toByteOffset: 4 + 4 * i, as: UInt32.self)
            }
            guard let base = raw.baseAddress, !r.isEmpty else { return }
            var offset = Self.headerBytes
            let n = r.count * rowBytes
            for l in 0..<layers {
                (base + offset).copyMemory(from: storage.keys[l] + r.lowerBound * rowBytes, byteCount: n)
                offset += n
                (base + offset).copyMemory(from: storage.values[l] + r.lowerBound * rowBytes, byteCount: n)
                offset += n
            }
        }
        return out
    }

    /// Appends `tokenCount` tokens from bytes made by `serialized(tokens:)` of a cache of the
    /// same model (any element type, or the legacy f32 form); the tokens land at positions
    /// count..<count+tokenCount.
    public mutating func appendSerialized(_ bytes: [UInt8], tokenCount: Int) throws {
        let header = try checkSerializedHeader(bytes, tokenCount: tokenCount)
        let sourceRowBytes = header.format.byteCount(elements: rowWidth)
        let expected = header.size + layers * 2 * tokenCount * sourceRowBytes
        guard bytes.count == expected else {
            throw LlamaError.badSerializedCache("\(bytes.count) bytes, expected \(expected) for \(tokenCount) tokens")
        }
        guard count + tokenCount <= maxTokens else {
            throw LlamaError.contextOverflow(start: count, tokens: tokenCount, limit: maxTokens)
        }
        prepareAppend(tokenCount)
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, tokenCount > 0 else { return }
            var offset = header.size
            let n = tokenCount * sourceRowBytes
            for l in 0..<layers {
                copyRows(from: base + offset, format: header.format, to: storage.keys[l], tokens: tokenCount)
                offset += n
                copyRows(from: base + offset, format: header.format, to: storage.values[l], tokens: tokenCount)
                offset += n
            }
        }
        commitAppend(tokenCount)
    }

    /// Rows `[tokens]` in `format` into one buffer's rows count..<count+tokens, converted when
    /// the format is not the cache's own.
    func copyRows(from source: UnsafeRawPointer, format: BlockFormat, to buffer: UnsafeMutableRawPointer,
                          tokens: Int) {
        let target = buffer + count * rowBytes
        guard format != type.rowFormat else {
            target.copyMemory(from: source, byteCount: tokens * rowBytes)
            return
        }
        let sourceRowBytes = format.byteCount(elements: rowWidth)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: rowWidth) { row in
            guard let floats = row.baseAddress else { return }
            for t in 0..<tokens {
                Kernels.loadKVRow(format, source + t * sourceRowBytes, into: floats, n: rowWidth)
                Kernels.storeKVRow(type.rowFormat, floats, into: target + t * rowBytes, n: rowWidth)
            }
        }
    }
}

/// The header of a serialized range, either form.
struct SerializedHeader {
    let layers: Int, rowWidth: Int, tokens: Int
    let format: BlockFormat
    /// Header bytes before the rows.
    let size: Int

    init(_ bytes: [UInt8]) throws {
        let magic = Array(bytes.prefix(4))
        let legacy = magic == KVCache.legacyMagic
        guard legacy || magic == KVCache.magic else {
            throw LlamaError.badSerializedCache("missing the KVC2 (or KVC1) header")
        }
        let size = legacy ? 16 : KVCache.headerBytes
        guard bytes.count >= size else { throw LlamaError.badSerializedCache("\(bytes.count) bytes: header cut short") }
        self.size = size
        let fields = bytes.withUnsafeBytes { raw in
            (1..<(size / 4)).map { Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        (layers, rowWidth, tokens) = (fields[0], fields[1], fields[2])
        let typeNumber = legacy ? Int(BlockFormat.f32.rawValue) : fields[3]
        guard let f = BlockFormat(rawValue: UInt32(typeNumber)), Kernels.kvRowFormats.contains(f) else {
            throw LlamaError.badSerializedCache("element type \(typeNumber) is not a KV cache type (0 f32, 1 f16, 8 q8_0)")
        }
        guard rowWidth % f.blockElements == 0 else {
            throw LlamaError.badSerializedCache("row width \(rowWidth) is not a whole number of \(f) blocks")
        }
        format = f
    }
}
