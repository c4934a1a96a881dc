/// Every way a generation request can fail; API maps each case to one HTTP status.
public enum GenerationError: Error, CustomStringConvertible, Sendable {
    /// 400
    case invalidRequest(param: String?, message: String)
    /// 400: prompt (+ session history) + max_tokens exceeds the context.
    case contextOverflow(param: String, needed: Int, limit: Int)
    /// 400: this request alone needs more KV memory than the whole budget.
    case budgetExceeded(needed: Int, budget: Int)
    /// 503 + Retry-After
    case queueFull(retryAfterSeconds: Int)
    /// 409
    case sessionBusy(id: String)
    /// 404
    case sessionNotFound(id: String)
    /// 409: the session's log on disk is refused, or was damaged (the message says which turns remain).
    case sessionUnusable(id: String, message: String)
    /// 507: the state directory is full; the turn was not kept, the session is unchanged.
    case insufficientStorage(message: String)
    /// 503
    case shuttingDown
    /// 500
    case internalError(String)

    public var description: String {
        switch self {
        case let .invalidRequest(_, message):
            return message
        case let .contextOverflow(param, needed, limit):
            return "\(param): the request needs \(needed) tokens of context (prompt + history + max_tokens) "
                + "but the context length is \(limit)"
        case let .budgetExceeded(needed, budget):
            return "the request needs \(needed) bytes of KV cache but the whole KV budget is \(budget) bytes"
        case let .queueFull(seconds):
            return "the request queue is full; retry after \(seconds) s"
        case let .sessionBusy(id):
            return "session '\(id)' is busy with another request"
        case let .sessionNotFound(id):
            return "session '\(id)' not found"
        case let .sessionUnusable(_, message), let .insufficientStorage(message):
            return message
        case .shuttingDown:
            return "the server is shutting down"
        case let .internalError(message):
            return "internal error: \(message)"
        }
    }
}
