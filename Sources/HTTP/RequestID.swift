import Foundation

/// The id that ties a request's log lines together and comes back as `X-Request-Id`.
public enum RequestID {
    public static let header = "X-Request-Id"

    /// A client's own id when it is sane (1-128 of [A-Za-z0-9._:-], so it cannot forge
    /// log lines or headers), else a new one.
    public static func accept(_ supplied: String?) -> String {
        if let supplied, isSane(supplied) { return supplied }
        return make()
    }

    public static func isSane(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x3A || byte == 0x2D
        }
    }

    /// 16 random hex digits: unique enough to grep a log for.
    public static func make() -> String {
        let value = UInt64.random(in: .min ... .max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
