/// Token id by the token's UTF-8 spelling, looked up from raw bytes. Merging looks up every
/// candidate pair, and building a Swift String per lookup (or hashing 150k-260k Strings into
/// a Dictionary at load) costs more than the merging itself; this table is one byte buffer
/// plus an open-addressing array of ids.
struct VocabularyIndex: Sendable {
    /// Every spelling's bytes, back to back; token i is bytes[starts[i]..<starts[i + 1]].
    private let bytes: [UInt8]
    private let starts: [Int]
    /// Token id or -1; the count is a power of two at least twice the vocabulary.
    private let slots: [Int32]
    private let mask: Int
    private let shift: UInt64

    /// On duplicate spellings the lowest id wins (HF's vocabulary loading order).
    init(_ tokens: [String]) {
        var bytes: [UInt8] = []
        var starts: [Int] = [0]
        starts.reserveCapacity(tokens.count + 1)
        for t in tokens {
            bytes.append(contentsOf: t.utf8)
            starts.append(bytes.count)
        }
        var bits: UInt64 = 4
        while (1 << bits) < tokens.count * 2 { bits += 1 }
        var slots = [Int32](repeating: -1, count: 1 << Int(bits))
        let mask = (1 << Int(bits)) - 1
        let shift = 64 - bits
        bytes.withUnsafeBufferPointer { all in
            for id in 0..<tokens.count {
                let key = UnsafeBufferPointer(rebasing: all[starts[id]..<starts[id + 1]])
                var s = Self.slot(key, shift)
                while slots[s] >= 0 {
                    let other = Int(slots[s])
                    if Self.equal(key, UnsafeBufferPointer(rebasing: all[starts[other]..<starts[other + 1]])) { break }
                    s = (s + 1) & mask
                }
                if slots[s] < 0 { slots[s] = Int32(id) }
            }
        }
        self.bytes = bytes
        self.starts = starts
        self.slots = slots
        self.mask = mask
        self.shift = shift
    }

    func id(of key: UnsafeBufferPointer<UInt8>) -> Int32? {
        bytes.withUnsafeBufferPointer { all in
            var s = Self.slot(key, shift)
            while true {
                let id = slots[s]
                if id < 0 { return nil }
                let i = Int(id)
                if Self.equal(key, UnsafeBufferPointer(rebasing: all[starts[i]..<starts[i + 1]])) { return id }
                s = (s + 1) & mask
            }
        }
    }

    func id(of key: [UInt8]) -> Int32? {
        key.withUnsafeBufferPointer { id(of: $0) }
    }

    func id(of text: String) -> Int32? {
        var text = text
        return text.withUTF8 { id(of: $0) }
    }

    /// FNV-1a over the bytes, then Fibonacci hashing: the top bits of the product index the
    /// table (FNV's low bits alone cluster on the shared prefixes of vocabulary spellings).
    private static func slot(_ key: UnsafeBufferPointer<UInt8>, _ shift: UInt64) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] { return false }
        return true
    }
}
