/// What the session layer needs from a KV cache. `Llama.KVCache` conforms (see
/// KVCache+SessionCache.swift); tests use a small fake so the session logic runs without the model.
public protocol SessionCache {
    /// Tokens held.
    var count: Int { get }
    /// Memory held (what the budget counts).
    var byteCount: Int { get }
    mutating func truncate(to count: Int) throws
    /// KV entries of the token positions `tokens`, in a form `appendSerialized` takes back.
    func serialized(tokens: Range<Int>) throws -> [UInt8]
    mutating func appendSerialized(_ bytes: [UInt8], tokenCount: Int) throws
}

public enum SessionError: Error, CustomStringConvertible, Equatable {
    case invalidID(String)
    case busy(id: String)
    case notFound(id: String)
    case budgetExceeded(needed: Int, budget: Int)
    /// The session's log on disk cannot be used (other model, bad header, ...).
    case refused(id: String, reason: String)
    case io(String)

    public var description: String {
        switch self {
        case let .invalidID(id):
            return "invalid session id '\(id)': use 1-128 characters of [A-Za-z0-9._-]"
        case let .busy(id): return "session '\(id)' is busy with another request"
        case let .notFound(id): return "session '\(id)' not found"
        case let .budgetExceeded(needed, budget):
            return "needs \(needed) bytes of KV cache, budget is \(budget) bytes"
        case let .refused(id, reason): return "session '\(id)' on disk refused: \(reason)"
        case let .io(message): return message
        }
    }
}
