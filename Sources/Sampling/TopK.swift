/// Partial selection of the k largest logits with a size-k min-heap: O(n log k) instead of
/// sorting the whole vocabulary every token.
enum TopK {
    static func select(_ logits: UnsafeMutableBufferPointer<Float>, k: Int) -> [Int32] {
        // Heap root is the weakest kept entry: lowest logit, highest id on ties.
        var heap: [(Float, Int32)] = []
        heap.reserveCapacity(k)
        func weaker(_ a: (Float, Int32), _ b: (Float, Int32)) -> Bool {
            a.0 != b.0 ? a.0 < b.0 : a.1 > b.1
        }
        for i in 0..<logits.count {
            let v = logits[i]
            if v.isNaN { continue }
            let entry = (v, Int32(i))
            if heap.count < k {
                heap.append(entry)
                siftUp(&heap, heap.count - 1, weaker)
            } else if weaker(heap[0], entry) {
                heap[0] = entry
                siftDown(&heap, 0, weaker)
            }
        }
        heap.sort { weaker($1, $0) }
        return heap.map { $0.1 }
    }

    private static func siftUp(_ h: inout [(Float, Int32)], _ start: Int,
                               _ weaker: ((Float, Int32), (Float, Int32)) -> Bool) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard weaker(h[i], h[parent]) else { return }
            h.swapAt(i, parent)
            i = parent
        }
    }

    private static func siftDown(_ h: inout [(Float, Int32)], _ start: Int,
                                 _ weaker: ((Float, Int32), (Float, Int32)) -> Bool) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < h.count && weaker(h[l], h[m]) { m = l }
            if r < h.count && weaker(h[r], h[m]) { m = r }
            if m == i { return }
            h.swapAt(i, m)
            i = m
        }
    }
}
