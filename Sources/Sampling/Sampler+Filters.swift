extension Sampler {
    /// Keeps the most likely candidates allowed by both top-p and min-p. Both keep a prefix of
    /// the probability-sorted list, so the result is the shorter prefix and min-p can go first
    /// as a plain threshold. top-p's running sum uses the probabilities over all candidates
    /// (not renormalized after min-p), as in the brief's order top-p then min-p.
    mutating func applyTopPMinP() {
        guard let pmax = probs.max() else { return }
        if params.minP > 0 { keepWhere(atLeast: params.minP * pmax) }
        guard params.topP < 1 else { return }
        // Only top-p needs an order. Sorting is limited to the most likely tokens whose mass
        // already reaches top-p: the cut falls inside that set, so the result is the same as
        // sorting everything (49k floats per token when top-k is off).
        var floor = pmax
        while floor > 1e-30 && mass(atLeast: floor) < Double(params.topP) { floor /= 16 }
        if floor <= 1e-30 { floor = 0 }
        var order: [Int] = probs.indices.filter { probs[$0] >= floor }
        order.sort { probs[$0] != probs[$1] ? probs[$0] > probs[$1] : ids[$0] < ids[$1] }
        var cumulative: Double = 0
        var keep = order.count
        for (n, i) in order.enumerated() {
            cumulative += Double(probs[i])
            if cumulative >= Double(params.topP) {
                keep = n + 1
                break
            }
        }
        order.removeSubrange(keep...)
        ids = order.map { ids[$0] }
        probs = order.map { probs[$0] }
    }

    /// Drops candidates below `threshold`, keeping the order.
    private mutating func keepWhere(atLeast threshold: Float) {
        var kept = 0
        for i in probs.indices where probs[i] >= threshold {
            probs[kept] = probs[i]
            ids[kept] = ids[i]
            kept += 1
        }
        probs.removeSubrange(kept...)
        ids.removeSubrange(kept...)
    }

    private func mass(atLeast floor: Float) -> Double {
        var sum: Double = 0
        for p in probs where p >= floor { sum += Double(p) }
        return sum
    }

    /// Inverse-CDF draw over the surviving (unnormalized) probabilities.
    mutating func draw() -> Int32 {
        guard let last = ids.last else { return 0 }
        var total: Double = 0
        for p in probs { total += Double(p) }
        let target = rng.nextUnit() * total
        var cumulative: Double = 0
        for (id, p) in zip(ids, probs) {
            cumulative += Double(p)
            if target < cumulative { return id }
        }
        return last
    }
}

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
