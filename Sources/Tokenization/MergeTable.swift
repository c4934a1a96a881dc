/// Merge rank and result by token pair, `BPEMerger.key(left, right)` -> `Merge`. Open
/// addressing with Fibonacci hashing: Qwen has 151k merges, and Swift's Dictionary (SipHash,
/// growth checks) made building and probing this table most of the tokenizer's load time.
struct MergeTable: Sendable {
    private var keys: [UInt64]
    private var values: [BPEMerger.Merge]
    private let shift: UInt64
    private let mask: Int
    /// Pair keys have both halves below 2^31, so this never collides with a real key.
    private static let empty = UInt64.max

    init(capacityFor count: Int) {
        var bits: UInt64 = 4
        while (1 << bits) < count * 2 { bits += 1 }
        keys = Array(repeating: Self.empty, count: 1 << Int(bits))
        values = Array(repeating: BPEMerger.Merge(rank: 0, result: 0), count: 1 << Int(bits))
        shift = 64 - bits
        mask = (1 << Int(bits)) - 1
    }

    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Keeps the first value for a key (the lower rank, since merges are added in rank order).
    mutating func insertIfAbsent(_ key: UInt64, _ value: BPEMerger.Merge) {
        var s = slot(key)
        while keys[s] != Self.empty {
            if keys[s] == key { return }
            s = (s + 1) & mask
        }
        keys[s] = key
        values[s] = value
    }

    subscript(key: UInt64) -> BPEMerger.Merge? {
        var s = slot(key)
        while true {
            let k = keys[s]
            if k == key { return values[s] }
            if k == Self.empty { return nil }
            s = (s + 1) & mask
        }
    }
}
