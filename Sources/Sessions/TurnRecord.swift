import Foundation

public struct SessionMessage: Codable, Equatable, Sendable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// How a session's history was built; the chat-template continuation only works on a
/// history made of messages.
public enum SessionMode: String, Codable, Sendable {
    case empty, messages, raw
}

/// One completed turn, as appended to the session log: the tokens the turn added to the
/// history and the KV entries it added to the cache.
public struct TurnRecord: Equatable, Sendable {
    /// History length before this turn (a replay check: records must chain).
    public var historyStart: Int
    public var tokens: [Int32]
    /// Cache length the KV bytes start at (replay truncates the cache to it first).
    public var kvStart: Int
    public var kvTokenCount: Int
    /// `SessionCache.serialized(tokens: kvStart..<kvStart+kvTokenCount)`; empty when read without KV.
    public var kvBytes: [UInt8]
    public var mode: SessionMode
    /// Messages this turn added, including the generated reply (messages mode only).
    public var messages: [SessionMessage]

    public init(historyStart: Int, tokens: [Int32], kvStart: Int, kvTokenCount: Int, kvBytes: [UInt8],
                mode: SessionMode, messages: [SessionMessage]) {
        self.historyStart = historyStart
        self.tokens = tokens
        self.kvStart = kvStart
        self.kvTokenCount = kvTokenCount
        self.kvBytes = kvBytes
        self.mode = mode
        self.messages = messages
    }
}

private struct TurnMeta: Codable {
    var mode: SessionMode
    var messages: [SessionMessage]
}

extension TurnRecord {
    /// Payload: u32 historyStart, u32 n, n x u32 tokens, u32 kvStart, u32 kvTokenCount,
    /// u32 metaLen + JSON {mode, messages}, then the KV bytes up to the payload's end.
    func encodePayload() -> [UInt8] {
        var w = ByteWriter()
        w.u32(historyStart)
        w.u32(tokens.count)
        for t in tokens { w.u32(UInt32(bitPattern: t)) }
        w.u32(kvStart)
        w.u32(kvTokenCount)
        let meta = (try? JSONEncoder().encode(TurnMeta(mode: mode, messages: messages))) ?? Data()
        w.blob(Array(meta))
        w.raw(kvBytes)
        return w.bytes
    }

    static func decodePayload(_ payload: [UInt8], includeKV: Bool) -> TurnRecord? {
        var r = ByteReader(payload)
        guard let historyStart = r.int(), let n = r.int(), n <= r.remaining / 4 else { return nil }
        var tokens = [Int32]()
        tokens.reserveCapacity(n)
        for _ in 0..<n {
            guard let t = r.u32() else { return nil }
            tokens.append(Int32(bitPattern: t))
        }
        guard let kvStart = r.int(), let kvCount = r.int(), let metaBytes = r.blob(),
              let meta = try? JSONDecoder().decode(TurnMeta.self, from: Data(metaBytes))
        else { return nil }
        let kv = includeKV ? Array(payload[r.offset...]) : []
        return TurnRecord(historyStart: historyStart, tokens: tokens, kvStart: kvStart, kvTokenCount: kvCount,
                          kvBytes: kv, mode: meta.mode, messages: meta.messages)
    }
}
