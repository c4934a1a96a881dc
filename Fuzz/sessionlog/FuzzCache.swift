/// A session cache with the serialized form of a 2-layer KV cache of 4 f32 per row ("KVC1":
/// magic, layers, row width, token count, then per layer the K rows and the V rows). It checks
/// what the real cache checks (header, token count, context) and keeps no rows.
struct FuzzCache: SessionCache {
    static let layers = 2, rowBytes = 16, maxTokens = 64
    static let bytesPerToken = layers * 2 * rowBytes
    struct Refused: Error {}

    var count = 0
    var capacity = 0
    var allocatedByteCount: Int { capacity * Self.bytesPerToken }

    func allocatedBytes(forTokens tokens: Int) -> Int { min(max(tokens, 0), Self.maxTokens) * Self.bytesPerToken }
    mutating func reserveCapacity(_ tokens: Int) { capacity = max(capacity, min(tokens, Self.maxTokens)) }
    mutating func shrinkToFit() { capacity = count }

    mutating func truncate(to n: Int) throws {
        guard n >= 0, n <= count else { throw Refused() }
        count = n
    }

    func serialized(tokens: Range<Int>) throws -> [UInt8] {
        let n = tokens.clamped(to: 0..<count).count
        var out = Array("KVC1".utf8)
        for v in [Self.layers, Self.rowBytes / 4, n] { out += withUnsafeBytes(of: UInt32(v).littleEndian, Array.init) }
        return out + [UInt8](repeating: 0, count: n * Self.bytesPerToken)
    }

    mutating func appendSerialized(_ bytes: [UInt8], tokenCount: Int) throws {
        var offset = 0
        try appendSerialized(tokenCount: tokenCount) { buffer in
            guard offset + buffer.count <= bytes.count else { throw Refused() }
            buffer.copyBytes(from: bytes[offset..<(offset + buffer.count)])
            offset += buffer.count
        }
        guard offset == bytes.count else { throw Refused() }
    }

    mutating func appendSerialized(tokenCount: Int, read: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        var header = [UInt8](repeating: 0, count: 16)
        try header.withUnsafeMutableBytes { try read($0) }
        let fields = (1...3).map { i in (0..<4).reduce(0) { $0 | Int(header[4 * i + $1]) << (8 * $1) } }
        guard Array(header[0..<4]) == Array("KVC1".utf8), fields == [Self.layers, Self.rowBytes / 4, tokenCount],
              count + tokenCount <= Self.maxTokens else { throw Refused() }
        var rows = [UInt8](repeating: 0, count: tokenCount * Self.rowBytes)
        for _ in 0..<(2 * Self.layers) where tokenCount > 0 {
            try rows.withUnsafeMutableBytes { try read($0) }
        }
        count += tokenCount
        capacity = max(capacity, count)
    }
}
