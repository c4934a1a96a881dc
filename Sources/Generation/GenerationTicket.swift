import Foundation

/// Handle on a submitted request. `cancel()` is safe from any thread: a queued request
/// finishes as cancelled without running; a running one stops at its next token (or prefill
/// chunk) with finish reason `cancelled`.
// @unchecked: `cancelled` and `failure` are guarded by `lock`.
public final class GenerationTicket: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var failure: GenerationError?

    init() {}

    public func cancel() {
        lock.withLock { cancelled = true }
    }

    /// Stops the request as `cancel()` does, but its final event is `.failed(error)` instead
    /// of `.finished` with reason `cancelled` (the server stopped it, e.g. at shutdown).
    func cancel(failing error: GenerationError) {
        lock.withLock {
            cancelled = true
            if failure == nil { failure = error }
        }
    }

    public var isCancelled: Bool { lock.withLock { cancelled } }

    var failureReason: GenerationError? { lock.withLock { failure } }
}
