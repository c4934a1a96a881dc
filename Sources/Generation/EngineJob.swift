import Llama
import Sessions

/// A validated request waiting for (or running on) the model worker.
/// Sendable by hand-off: the submitting thread gives it to the worker under the engine's queue
/// lock; after that the worker owns it, and a session's log queue touches it only for the final
/// event, after the worker has finished with it (one thread at a time, ordered by Dispatch).
final class EngineJob: @unchecked Sendable {
    let request: GenerationRequest
    /// Tokens this turn adds: for a session, appended to its history; otherwise the whole prompt.
    let newTokens: [Int32]
    let mode: SessionMode
    /// Messages this turn adds to a session (the reply is added when the turn completes).
    let newMessages: [SessionMessage]
    /// The named session, checked out (busy) from submit until the job ends.
    let session: SessionEntry<KVCache>?
    /// Events of choice i (0..<request.n).
    let onEvent: (Int, ChoiceEvent) -> Void
    /// Choices still running (forks add theirs); the job ends when it reaches 0. Worker only.
    var choicesLeft = 1
    /// Its session is being read from disk (off the worker); the worker skips it in the queue
    /// until `loadDone`. Both guarded by the engine's `condition`.
    var loading = false
    var loadDone = false
    var isAdmissible: Bool { !loading || loadDone }
    let ticket = GenerationTicket()
    let submittedMs = MonotonicClock.nowMs()

    init(request: GenerationRequest, newTokens: [Int32], mode: SessionMode, newMessages: [SessionMessage],
         session: SessionEntry<KVCache>?, onEvent: @escaping (Int, ChoiceEvent) -> Void) {
        self.request = request
        self.newTokens = newTokens
        self.mode = mode
        self.newMessages = newMessages
        self.session = session
        self.onEvent = onEvent
    }
}
