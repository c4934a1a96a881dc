/// What the session layer needs from a KV cache. `Llama.KVCache` conforms (see
/// KVCache+SessionCache.swift); tests use a small fake so the session logic runs without the model.
///
/// Sizes always come from the cache itself (its element type decides bytes per token), never
/// from `tokens * constant` in the session layer.
public protocol SessionCache {
    /// Tokens held.
    var count: Int { get }
    /// Bytes allocated, used or not: what the KV budget counts (docs/architecture.md, "KV budget").
    var allocatedByteCount: Int { get }
    /// Bytes an allocation holding exactly `tokens` tokens takes.
    func allocatedBytes(forTokens tokens: Int) -> Int
    /// Grows the allocation to hold `tokens` tokens in one step (no growth-step slack).
    mutating func reserveCapacity(_ tokens: Int)
    /// Gives back the allocation beyond `count` (no-op while the storage is shared).
    mutating func shrinkToFit()
    mutating func truncate(to count: Int) throws
    /// KV entries of the token positions `tokens`, in a form `appendSerialized` takes back.
    func serialized(tokens: Range<Int>) throws -> [UInt8]
    mutating func appendSerialized(_ bytes: [UInt8], tokenCount: Int) throws
    /// Like `appendSerialized(_:tokenCount:)`, but the serialized form is read straight into
    /// the cache's storage: `read` fills each buffer it is given, in the order of that form.
    mutating func appendSerialized(tokenCount: Int, read: (UnsafeMutableRawBufferPointer) throws -> Void) throws
}

public enum SessionError: Error, CustomStringConvertible, Equatable {
    case invalidID(String)
    case busy(id: String)
    case notFound(id: String)
    case budgetExceeded(needed: Int, budget: Int)
    /// The session's log on disk cannot be used (other model, bad header, ...).
    case refused(id: String, reason: String)
    /// The log on disk was damaged: turns from `lostFromTurn` (1-based) on are gone; the
    /// session now holds the turns before it.
    case damaged(id: String, lostFromTurn: Int)
    /// The state directory has no room for this turn's record; nothing of it was kept.
    case storageFull(id: String)
    /// Detail for the server log (may name paths and errno); never shown to a client as is.
    case io(String)

    public var description: String {
        switch self {
        case let .invalidID(id):
            return "invalid session id '\(id)': use 1-128 characters of [A-Za-z0-9._-]"
        case let .busy(id): return "session '\(id)' is busy with another request"
        case let .notFound(id): return "session '\(id)' not found"
        case let .budgetExceeded(needed, budget):
            return "needs \(needed) bytes of KV cache, budget is \(budget) bytes"
        case let .refused(id, reason):
            return "session '\(id)' cannot be used: its log on disk is \(reason); DELETE the session to discard it"
        case let .damaged(id, turn):
            return "session '\(id)' lost its history from turn \(turn) on: its log on disk is damaged. "
                + (turn > 1 ? "It now holds turns 1-\(turn - 1); " : "It is now empty; ")
                + "send the request again to continue from there, or DELETE the session"
        case let .storageFull(id):
            return "no space left to save session '\(id)': this turn was not kept and the session is unchanged; "
                + "retry once space is freed"
        case let .io(message): return message
        }
    }
}
