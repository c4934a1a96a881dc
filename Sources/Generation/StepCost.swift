import Llama

/// The model's cost of one step, learned online: `ms ≈ fixed + perWork × work`, fitted by least
/// squares over recent steps (older steps count less, so a change of machine load is followed
/// within a few steps). `work` is the step's multiply-adds (`StepWork`), so one fit serves
/// decode rows, prompt chunks and attention at any context. A pure value: the engine feeds it
/// measured forwards; tests feed it chosen numbers.
struct StepCost {
    /// Weight of the previous steps against the new one (about the last 10 steps count).
    static let decay = 0.9

    // Decayed sums of 1, x, y, x², xy over the recorded steps (x = work, y = ms).
    private var n = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0

    var hasSamples: Bool { n > 0 }

    mutating func record(work: Double, ms: Double) {
        guard work > 0, ms.isFinite, ms >= 0 else { return }
        let d = Self.decay
        n = n * d + 1
        sx = sx * d + work
        sy = sy * d + ms
        sxx = sxx * d + work * work
        sxy = sxy * d + work * ms
    }

    /// (fixed ms, ms per unit of work), or nil before the first step. When the recent steps
    /// were all alike (no spread to separate the two) or the fit is implausible, the cost is
    /// taken as proportional to work, which overstates the marginal cost: chunks come out
    /// smaller than they could be, never steps longer than the target.
    var line: (fixed: Double, perWork: Double)? {
        guard n > 0, sx > 0 else { return nil }
        let mx = sx / n, my = sy / n
        let variance = sxx / n - mx * mx
        let proportional = (fixed: 0.0, perWork: my / mx)
        // Relative spread under 5%: the slope would be noise.
        guard variance > 0.0025 * mx * mx else { return proportional }
        let slope = (sxy / n - mx * my) / variance
        let fixed = my - slope * mx
        guard slope > 0, fixed >= 0 else { return proportional }
        return (fixed, slope)
    }

    func predictMs(work: Double) -> Double? {
        line.map { $0.fixed + $0.perWork * work }
    }
}

/// Multiply-adds of a step's rows on a model, the unit `StepCost` is fitted in: every row goes
/// through the layers' projections and FFN, attends to `position + 1` cached rows, and rows
/// whose logits are wanted go through the output head.
struct StepWork {
    /// Per row: Q, K, V, O projections and the gated FFN of every layer.
    let perRow: Double
    /// Per row and attended position: scores and weighted values of every head, every layer.
    let perAttended: Double
    /// Per row with logits: the output head.
    let perLogits: Double

    init(_ c: LlamaConfig) {
        let layers = Double(c.layers), dim = Double(c.dim)
        let projections = dim * Double(c.qDim + 2 * c.kvDim) + Double(c.qDim) * dim
        perRow = layers * (projections + 3 * dim * Double(c.ffnDim))
        perAttended = layers * Double(c.heads * c.headDim) * 2
        perLogits = dim * Double(c.vocab)
    }

    init(perRow: Double, perAttended: Double, perLogits: Double) {
        self.perRow = perRow
        self.perAttended = perAttended
        self.perLogits = perLogits
    }

    /// `count` rows starting at cache position `start` (each attends to itself and all before).
    func rows(_ count: Int, at start: Int, logits: Int) -> Double {
        guard count > 0 else { return 0 }
        let attended = Double(count) * Double(start) + Double(count) * Double(count + 1) / 2
        return Double(count) * perRow + attended * perAttended + Double(logits) * perLogits
    }
}
