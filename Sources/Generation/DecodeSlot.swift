import Grammar
import Llama
import Sampling
import Sessions

/// One admitted job on the model worker: its session entry and cache (taken out of the entry
/// for the turn), how far its prompt is prefilled, and its decode state. Only the worker
/// thread touches a slot, except a completed turn's final event, which the session's log queue
/// sends after the fsync once the worker has dropped the slot (so the claim is by hand-off).
final class DecodeSlot: @unchecked Sendable {
    let job: EngineJob
    let entry: SessionEntry<KVCache>
    /// Whole prompt of the turn: session history + new tokens (or the new tokens alone).
    let prompt: [Int32]
    let startMs: Double
    /// Prompt tokens whose KV the cache plan kept (reported as cached tokens).
    let reusedTokens: Int
    /// KV entries from here on are new this turn (what commit logs / rollback cuts).
    var kvFrom: Int
    /// nil only while lent to a batched forward (moved, so its storage stays uniquely referenced).
    var cache: KVCache?
    var outcome = Engine.RunOutcome()
    /// Next prompt index to prefill; decoding starts once it reaches prompt.count.
    var prefillAt: Int
    var prefillStartMs = 0.0
    /// Steps this prompt has waited since it last got prefill tokens (aging, `PrefillSchedule`).
    var prefillWaitedSteps = 0
    var decodeStartMs = 0.0
    /// Logits `[vocab]` the next token is sampled from.
    var logits: [Float] = []
    var sampler: Sampler
    /// The request's structured-output state, made at its first decode step.
    var constraint: JSONConstraint?
    var stream: TextStream
    /// prompt + generated tokens (for the sampler's repetition penalties).
    var history: [Int32]
    /// Set when the token just sampled ends the turn; it is still run so the cache covers it.
    var finishAfterForward: FinishReason?
    /// Speculative decoding: drafter and draft length (Engine+Speculative.swift), made at the first decode step.
    var speculation: SpeculationState?
    /// A draft token the sampler rejected at the position `logits` are for: the next token is
    /// drawn with it excluded (distribution-preserving acceptance, Sampler+Speculative.swift).
    var rejectedDraft: Int32?
    /// The run is over (outcome.reason, or `error`, says why).
    var done = false
    var error: Error?
    /// Which of the request's `n` choices this is; choice 0 owns the session entry, the
    /// others are forks whose caches are dropped at the end.
    var choice = 0
    /// Choice 0 has made its forks (after its prefill).
    var forked = false

    init(job: EngineJob, entry: SessionEntry<KVCache>, prompt: [Int32], cache: KVCache, reusedTokens: Int,
         startMs: Double) {
        self.job = job
        self.entry = entry
        self.prompt = prompt
        self.cache = cache
        self.reusedTokens = reusedTokens
        self.kvFrom = reusedTokens
        self.prefillAt = reusedTokens
        self.startMs = startMs
        sampler = Sampler(params: job.request.sampling)
        stream = TextStream(stops: job.request.stop)
        history = prompt
    }

    func emit(_ event: ChoiceEvent) { job.onEvent(choice, event) }

    var isPrefilling: Bool { !done && prefillAt < prompt.count }
    var isDecoding: Bool { !done && prefillAt >= prompt.count }
}
