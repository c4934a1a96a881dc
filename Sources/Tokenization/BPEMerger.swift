/// Byte-level BPE over token ids: a piece starts as one token per byte and the adjacent pair
/// with the lowest merge rank (leftmost on ties) is merged until no ranked pair remains. This
/// is the order HF tokenizers and llama.cpp use; merging one occurrence at a time with a
/// priority queue equals GPT-2's "merge every occurrence of the best pair, left to right".
struct BPEMerger: Sendable {
    struct Merge: Sendable {
        let rank: Int32
        let result: Int32
    }

    /// Key is (left id << 32 | right id).
    private let merges: MergeTable
    /// Token id of each single byte (-1 if the vocabulary lacks it).
    private let byteTokens: [Int32]

    init(merges: MergeTable, byteTokens: [Int32]) {
        self.merges = merges
        self.byteTokens = byteTokens
    }

    /// From `tokenizer.ggml.merges` ("left right", rank = line number). Lines naming tokens
    /// the vocabulary lacks are skipped, as llama.cpp and HF skip them; on a repeated pair the
    /// first rank wins. Works on UTF-8 bytes: Qwen has 151k merges, and Strings would dominate load time.
    static func build(index: VocabularyIndex, merges: [String]) -> BPEMerger {
        var table = MergeTable(capacityFor: merges.count)
        var joined: [UInt8] = []
        for (rank, line) in merges.enumerated() {
            var line = line
            line.withUTF8 { u in
                // Split at the first space after the first byte (llama.cpp's `find(' ', 1)`);
                // byte-level spellings never contain U+0020 themselves.
                guard u.count > 2, let space = u[1...].firstIndex(of: 0x20) else { return }
                let left = UnsafeBufferPointer(rebasing: u[..<space])
                let right = UnsafeBufferPointer(rebasing: u[(space + 1)...])
                joined.removeAll(keepingCapacity: true)
                joined.append(contentsOf: left)
                joined.append(contentsOf: right)
                guard let a = index.id(of: left), let b = index.id(of: right), let m = index.id(of: joined) else { return }
                table.insertIfAbsent(Self.key(a, b), Merge(rank: Int32(rank), result: m))
            }
        }
        let byteTokens = ByteLevel.byteToScalar.map { index.id(of: String($0)) ?? -1 }
        return BPEMerger(merges: table, byteTokens: byteTokens)
    }

    static func key(_ a: Int32, _ b: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
    }

    /// Ids for one pre-tokenized piece. Bytes without a token get `unknownID`.
    func encode(_ bytes: [UInt8], unknownID: Int32) -> [Int32] {
        var ids = bytes.map { byteTokens[Int($0)] }
        if ids.contains(-1) {
            // Merges never involve a missing byte token; keep the rest mergeable.
            ids = ids.map { $0 < 0 ? unknownID : $0 }
        }
        if ids.count < 2 { return ids }
        return mergeAll(ids)
    }

    /// Symbols form a doubly linked list over the initial positions; the heap holds candidate
    /// pairs (rank, left position) and stale entries are skipped when popped.
    private func mergeAll(_ initial: [Int32]) -> [Int32] {
        let n = initial.count
        var ids = initial
        var prev = Array(-1..<(n - 1))          // prev[i] = i-1, -1 at the head
        var next = Array(1...n)                 // next[i] = i+1, n past the tail
        var alive = [Bool](repeating: true, count: n)
        var heap = BinaryHeap<MergeCandidate>()

        func push(_ left: Int) {
            let right = next[left]
            guard left >= 0, right < n, let m = merges[Self.key(ids[left], ids[right])] else { return }
            heap.push(MergeCandidate(rank: m.rank, left: Int32(left), leftID: ids[left], rightID: ids[right]))
        }
        for i in 0..<(n - 1) { push(i) }

        while let c = heap.pop() {
            let left = Int(c.left)
            let right = next[left]
            // Stale if either side changed since the candidate was pushed.
            guard alive[left], right < n, ids[left] == c.leftID, ids[right] == c.rightID,
                  let m = merges[Self.key(c.leftID, c.rightID)] else { continue }
            ids[left] = m.result
            alive[right] = false
            next[left] = next[right]
            if next[right] < n { prev[next[right]] = left }
            if prev[left] >= 0 { push(prev[left]) }
            push(left)
        }
        var out: [Int32] = []
        var i = 0
        while i < n {
            out.append(ids[i])
            i = next[i]
        }
        return out
    }
}
