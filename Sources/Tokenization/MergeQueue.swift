/// A possible merge of the symbol at `left` with its right neighbour, as it was when queued.
struct MergeCandidate {
    let rank: Int32
    let left: Int32
    let leftID: Int32
    let rightID: Int32

    func precedes(_ o: MergeCandidate) -> Bool {
        rank != o.rank ? rank < o.rank : left < o.left
    }
}

/// Binary min-heap ordered by (rank, left position).
struct MergeQueue {
    private var items: [MergeCandidate] = []

    mutating func push(_ c: MergeCandidate) {
        items.append(c)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].precedes(items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> MergeCandidate? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return top }
        items[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < items.count && items[l].precedes(items[best]) { best = l }
            if r < items.count && items[r].precedes(items[best]) { best = r }
            if best == i { break }
            items.swapAt(i, best)
            i = best
        }
        return top
    }
}
