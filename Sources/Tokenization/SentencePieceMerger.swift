/// SentencePiece BPE as llama.cpp runs GGUF `llama` vocabularies: the text (spaces already
/// spelled "▁") starts as one symbol per UTF-8 character; the adjacent pair whose joined
/// spelling is a vocabulary token with the highest score (leftmost on ties) is merged until no
/// pair forms a token. A final symbol that is no token (a character outside the vocabulary)
/// becomes its bytes as `<0xNN>` tokens.
struct SentencePieceMerger: Sendable {
    private let index: VocabularyIndex
    private let scores: [Float]
    /// Id of `<0xNN>` for each byte, `unknownID` where the vocabulary lacks it.
    private let byteTokens: [Int32]

    init(index: VocabularyIndex, scores: [Float], unknownID: Int32) {
        self.index = index
        self.scores = scores
        self.byteTokens = (0..<256).map { b in
            index.id(of: "<0x\(Self.hex(UInt8(b)))>") ?? unknownID
        }
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    func encode(_ text: [UInt8], into out: inout [Int32]) {
        if text.isEmpty { return }
        text.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    /// A candidate merge of the symbols starting at `left` and `right`, valid while their
    /// lengths still sum to `size` (either one changing means it was merged elsewhere).
    private struct Bigram: HeapOrdered {
        let score: Float
        let left: Int32
        let right: Int32
        let size: Int32

        func precedes(_ o: Bigram) -> Bool {
            score != o.score ? score > o.score : left < o.left
        }
    }

    private func encode(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        // Symbols by byte offset: length (0 once merged away) and the next symbol's offset.
        var length: [Int32] = []
        var start: [Int32] = []
        var offset = 0
        while offset < text.count {
            let n = min(Self.utf8Length(text[offset]), text.count - offset)
            start.append(Int32(offset))
            length.append(Int32(n))
            offset += n
        }
        let count = start.count
        var prev = Array(-1..<(count - 1))
        var next = Array(1...count)
        var heap = BinaryHeap<Bigram>()

        func tryAdd(_ l: Int, _ r: Int) {
            guard l >= 0, r < count else { return }
            let from = Int(start[l]), size = Int(length[l] + length[r])
            guard let id = index.id(of: UnsafeBufferPointer(rebasing: text[from..<(from + size)])) else { return }
            heap.push(Bigram(score: scores[Int(id)], left: Int32(l), right: Int32(r), size: Int32(size)))
        }
        for i in 0..<(count - 1) { tryAdd(i, i + 1) }

        while let b = heap.pop() {
            let l = Int(b.left), r = Int(b.right)
            guard length[l] > 0, length[r] > 0, length[l] + length[r] == b.size else { continue }
            length[l] = b.size
            length[r] = 0
            next[l] = next[r]
            if next[r] < count { prev[next[r]] = l }
            tryAdd(prev[l], l)
            tryAdd(l, next[l])
        }

        var i = 0
        while i < count {
            let from = Int(start[i])
            let piece = UnsafeBufferPointer(rebasing: text[from..<(from + Int(length[i]))])
            if let id = index.id(of: piece) {
                out.append(id)
            } else {
                for byte in piece { out.append(byteTokens[Int(byte)]) }
            }
            i = next[i]
        }
    }

    /// Sequence length from a lead byte, as llama.cpp reads it (a stray continuation byte is
    /// a symbol of its own).
    private static func utf8Length(_ lead: UInt8) -> Int {
        switch lead >> 4 {
        case 0xC, 0xD: return 2
        case 0xE: return 3
        case 0xF: return 4
        default: return 1
        }
    }
}
