#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Log-probabilities of the model's distribution over the next token (log-softmax of the
/// logits, before temperature and filters, as OpenAI's `logprobs` report them).
public struct TokenLogprobs: Sendable {
    /// log(sum(exp(logits))), computed shifted by the max for range.
    public let logSumExp: Float
    /// The `count` most likely tokens with their log-probabilities, best first.
    public let top: [(id: Int32, logprob: Float)]

    public init(logits: [Float], count: Int) {
        var maxLogit = -Float.infinity
        for l in logits where l > maxLogit { maxLogit = l }
        var sum: Double = 0
        for l in logits where !l.isNaN { sum += Double(expf(l - maxLogit)) }
        let lse = maxLogit + Float(log(sum))
        logSumExp = lse
        var copy = logits
        let ids = count > 0 ? copy.withUnsafeMutableBufferPointer { TopK.select($0, k: min(count, logits.count)) } : []
        top = ids.map { ($0, logits[Int($0)] - lse) }
    }

    public func logprob(of logit: Float) -> Float { logit - logSumExp }
}
