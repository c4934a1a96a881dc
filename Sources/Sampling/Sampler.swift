#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Chooses the next token from logits. Order: repetition penalty, then greedy argmax at
/// temperature 0; otherwise top-k, softmax with temperature, top-p, min-p, and a draw from
/// the renormalized survivors with a seeded xoshiro256**. (HF's warpers use this order;
/// llama.cpp applies temperature last, which only changes what top-p/min-p see.)
public struct Sampler: Sendable {
    public let params: SamplingParams
    var rng: Xoshiro256
    /// Scratch reused across calls: candidate ids and probabilities.
    var ids: [Int32] = []
    var probs: [Float] = []

    public init(params: SamplingParams) {
        self.params = params
        var system = SystemRandomNumberGenerator()
        self.rng = Xoshiro256(seed: params.seed ?? system.next())
    }

    /// The logits are modified in place (penalty applied). `history` is every token so far
    /// (prompt and generated); only its tail is used for the penalty.
    public mutating func sample(logits: inout [Float], history: ArraySlice<Int32>) -> Int32 {
        logits.withUnsafeMutableBufferPointer { sample(logits: $0, history: history) }
    }

    public mutating func sample(logits: UnsafeMutableBufferPointer<Float>, history: ArraySlice<Int32>) -> Int32 {
        guard !logits.isEmpty else { return 0 }
        applyRepetitionPenalty(logits, history: history)
        if params.temperature <= 0 { return Self.argmax(logits) }
        filteredDistribution(logits)
        return draw()
    }

    /// ids / probs = the candidates that survive top-k, temperature, top-p and min-p, with
    /// their (not renormalized) probabilities: what `draw` picks from.
    mutating func filteredDistribution(_ logits: UnsafeMutableBufferPointer<Float>) {
        selectCandidates(logits)
        softmax(logits, temperature: params.temperature)
        applyTopPMinP()
    }

    /// llama.cpp `llama_sampler_penalties`: each distinct recent token once; positive logits
    /// are divided by the penalty and negative ones multiplied, so both move toward "less likely".
    func applyRepetitionPenalty(_ logits: UnsafeMutableBufferPointer<Float>, history: ArraySlice<Int32>) {
        let penalty = params.repeatPenalty
        guard penalty != 1, params.repeatLastN != 0, !history.isEmpty else { return }
        let n = params.repeatLastN < 0 ? history.count : min(params.repeatLastN, history.count)
        var seen = Set<Int32>()
        for id in history.suffix(n) where id >= 0 && Int(id) < logits.count && seen.insert(id).inserted {
            let l = logits[Int(id)]
            logits[Int(id)] = l > 0 ? l / penalty : l * penalty
        }
    }

    /// Index of the largest logit, lowest index on ties; NaN never wins.
    static func argmax(_ logits: UnsafeMutableBufferPointer<Float>) -> Int32 {
        var best = 0
        var bestValue = -Float.infinity
        for i in 0..<logits.count where logits[i] > bestValue {
            best = i
            bestValue = logits[i]
        }
        return Int32(best)
    }

    /// Fills `ids` with the top-k token ids, best first (ties: lower id first). Without top-k
    /// every id is a candidate, left unsorted until top-p needs an order.
    private mutating func selectCandidates(_ logits: UnsafeMutableBufferPointer<Float>) {
        let k = params.topK
        if k > 0 && k < logits.count {
            ids = TopK.select(logits, k: k)
        } else {
            ids.removeAll(keepingCapacity: true)
            ids.append(contentsOf: 0..<Int32(logits.count))
        }
    }

    /// probs[i] = softmax(logit[ids[i]] / T) over the candidates (shifted by the max for range).
    private mutating func softmax(_ logits: UnsafeMutableBufferPointer<Float>, temperature: Float) {
        var maxLogit = -Float.infinity
        for id in ids where logits[Int(id)] > maxLogit { maxLogit = logits[Int(id)] }
        probs.removeAll(keepingCapacity: true)
        var sum: Double = 0
        for id in ids {
            let l = logits[Int(id)]
            // NaN logits get probability 0; all -inf (or NaN) logits => uniform; the `==` case
            // keeps a +inf logit from becoming inf - inf = NaN.
            let p: Float
            if maxLogit == -.infinity || l == maxLogit { p = 1 } else { p = l.isNaN ? 0 : expf((l - maxLogit) / temperature) }
            probs.append(p)
            sum += Double(p)
        }
        let scale = Float(1 / sum)
        for i in probs.indices { probs[i] *= scale }
    }
}
