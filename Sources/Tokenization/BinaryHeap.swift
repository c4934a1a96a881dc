/// Elements a `BinaryHeap` can order: `precedes` is true when self must pop first.
protocol HeapOrdered {
    func precedes(_ other: Self) -> Bool
}

/// A possible merge of the symbol at `left` with its right neighbour, as it was when queued.
struct MergeCandidate: HeapOrdered {
    let rank: Int32
    let left: Int32
    let leftID: Int32
    let rightID: Int32

    func precedes(_ o: MergeCandidate) -> Bool {
        rank != o.rank ? rank < o.rank : left < o.left
    }
}

/// Binary min-heap by `precedes` (a protocol, not a closure, so the hot merge loops inline it).
struct BinaryHeap<Element: HeapOrdered> {
    private var items: [Element] = []

    mutating func push(_ c: Element) {
        items.append(c)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].precedes(items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Element? {
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
