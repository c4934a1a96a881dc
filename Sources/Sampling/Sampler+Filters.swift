extension Sampler {
    /// Keeps the most likely candidates allowed by both top-p and min-p. Both keep a prefix of
    /// the probability-sorted list, so the result is the shorter prefix and min-p can go first
    /// as a plain threshold. top-p's running sum uses the probabilities over all candidates
    /// (not renormalized after min-p), i.e. exactly "top-p, then min-p".
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
