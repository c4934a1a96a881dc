import Generation

extension APIError {
    // The one mapping from engine errors to HTTP status + envelope (design.md, "Errors").
    public init(_ error: GenerationError) {
        switch error {
        case .invalidRequest(let param, let message):
            self = .invalid(param, message)
        case .contextOverflow(let param, let needed, let limit):
            self = .invalid(param, "the prompt (with any session history) plus max_tokens needs \(needed) tokens, over the context length limit of \(limit)")
        case .budgetExceeded(let needed, let budget):
            self = .invalid("max_tokens", "this request alone needs \(needed) bytes of KV cache, over the memory budget of \(budget) bytes")
        case .queueFull(let retryAfter):
            self = APIError(status: 503,
                            message: "the request queue is full; retry after \(retryAfter) s", param: nil,
                            headers: [("Retry-After", String(retryAfter))])
        case .sessionBusy(let id):
            self = APIError(status: 409,
                            message: "session \"\(id)\" is busy with another request", param: "session_id")
        case .sessionNotFound(let id):
            self = APIError(status: 404, message: "session \"\(id)\" not found", param: "session_id")
        case .sessionUnusable(_, let message):
            self = APIError(status: 409, message: message, param: "session_id")
        case .insufficientStorage(let message):
            self = APIError(status: 507, message: message, param: nil)
        case .shuttingDown:
            self = APIError(status: 503, message: "the server is shutting down", param: nil)
        case .internalError(let message):
            self = APIError(status: 500, message: message, param: nil)
        }
    }

    // Any error thrown by a handler: API errors pass through, engine errors are mapped,
    // anything else is an internal error (500: its text reaches only the log, see `shown`).
    public init(any error: Error) {
        if let api = error as? APIError {
            self = api
        } else if let generation = error as? GenerationError {
            self.init(generation)
        } else {
            self = APIError(status: 500, message: "\(error)", param: nil)
        }
    }
}
