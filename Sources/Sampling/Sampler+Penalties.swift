extension Sampler {
    /// OpenAI's presence / frequency penalties and logit bias, applied to the raw logits before
    /// `sample` (which adds the llama.cpp repetition penalty). As OpenAI defines them
    /// (platform.openai.com/docs/advanced-usage, "frequency and presence penalties"):
    /// logit[t] -= count[t] * frequency + (count[t] > 0 ? presence : 0), with counts over the
    /// tokens generated so far (not the prompt); then logit[t] += bias[t].
    public func applyPenaltiesAndBias(_ logits: inout [Float], generated: [Int32]) {
        let presence = params.presencePenalty, frequency = params.frequencyPenalty
        if presence != 0 || frequency != 0, !generated.isEmpty {
            var counts: [Int32: Int] = [:]
            for id in generated { counts[id, default: 0] += 1 }
            for (id, count) in counts where id >= 0 && Int(id) < logits.count {
                logits[Int(id)] -= Float(count) * frequency + presence
            }
        }
        for (id, bias) in params.logitBias where id >= 0 && Int(id) < logits.count {
            logits[Int(id)] += bias
        }
    }
}
