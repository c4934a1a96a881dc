import Foundation
import HTTP

// `api_keys`: when any is set, every route except /health needs `Authorization: Bearer KEY`.
// Keys are compared in constant time (every byte of every key, whatever matches), and are
// never logged. Sessions and stored responses belong to the key that made them: their ids
// carry a suffix derived from the key, so another key simply does not find them (404), and
// the ownership survives restarts with the session logs.
public struct APIKeys: Sendable {
    public let keys: [[UInt8]]

    public init(_ keys: [String]) {
        self.keys = keys.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    public var enabled: Bool { !keys.isEmpty }

    /// The caller's key when it is valid (or "" when keys are off), nil when refused.
    func owner(of request: HTTPRequest) -> Owner? {
        guard enabled else { return Owner(suffix: "") }
        guard let header = request.headers["Authorization"] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let given = Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)
        var matched = false
        for key in keys where Self.constantTimeEqual(given, key) { matched = true }
        return matched ? Owner(key: given) : nil
    }

    /// Time depends only on the lengths, never on where the bytes differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count) | (a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}

// Namespace of a caller's sessions: "" without keys, else "-k" + 16 hex digits of a 64-bit
// FNV-1a hash of the key (ids stay within [A-Za-z0-9._-]; only configured keys get here, so
// a collision would need two configured keys with the same hash).
struct Owner: Equatable {
    let suffix: String

    init(suffix: String) { self.suffix = suffix }

    init(key: [UInt8]) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        suffix = "-k" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    func scoped(_ id: String) -> String { id + suffix }

    /// The client's id for an internal one of this owner; nil when it is someone else's.
    func unscoped(_ internalID: String) -> String? {
        guard internalID.hasSuffix(suffix) else { return nil }
        return String(internalID.dropLast(suffix.count))
    }
}
