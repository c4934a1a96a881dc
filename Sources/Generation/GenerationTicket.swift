import Foundation

/// Handle on a submitted request. `cancel()` is safe from any thread: a queued request
/// finishes as cancelled without running; a running one stops at its next token (or prefill
/// chunk) with finish reason `cancelled`.
public final class GenerationTicket: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    init() {}

    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }
}
