/// How a model step's prompt budget is shared among the prompts waiting to be prefilled: a
/// pure decision, tested without the model.
///
/// Shortest remaining prompt first, so a short request's first token is not queued behind a
/// long prompt (it usually fits in the very next step beside the long prompt's chunk). Aging
/// keeps a long prompt from starving behind a stream of short ones: every step a prompt waits
/// without getting tokens counts as `budget` tokens fewer remaining. Ties go to the earlier
/// arrival. Prompts are served in that order until the budget is spent; fresh prompts first in
/// line are taken whole, past the budget, while together they have at most `wholeUpTo` tokens
/// (a short request's first token then comes one step later, whatever the budget; the tail of
/// a long prompt is no short request and keeps to the budget).
enum PrefillSchedule {
    struct Candidate: Equatable {
        /// Index of the prompt among the candidates' owner (returned as is).
        let id: Int
        /// Prompt tokens still to prefill (> 0).
        let remaining: Int
        /// Steps the prompt has waited since it last got tokens (or since admission).
        let waitedSteps: Int
        /// No token of the prompt is prefilled yet.
        var isFresh = true
    }

    /// (id, tokens to prefill this step) in serving order; tokens sum to at most `budget` (or the first prompt's whole remainder).
    static func plan(_ candidates: [Candidate], budget: Int, wholeUpTo: Int = 0) -> [(id: Int, tokens: Int)] {
        let ordered = candidates.enumerated().sorted { a, b in
            let ka = a.element.remaining - a.element.waitedSteps * budget
            let kb = b.element.remaining - b.element.waitedSteps * budget
            return ka != kb ? ka < kb : a.offset < b.offset
        }
        var left = budget
        var whole = 0
        for (_, c) in ordered {
            guard c.isFresh, whole + c.remaining <= wholeUpTo else { break }
            whole += c.remaining
        }
        left = max(left, whole)
        var plan: [(id: Int, tokens: Int)] = []
        for (_, c) in ordered where left > 0 && c.remaining > 0 {
            let n = min(c.remaining, left)
            plan.append((c.id, n))
            left -= n
        }
        return plan
    }
}
