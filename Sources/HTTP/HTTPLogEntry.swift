import Foundation

/// One finished (or abandoned) request, for the access log.
public struct HTTPLogEntry: Sendable {
    public var method: String
    public var path: String
    /// 0 for a connection the server closed after its last request was logged (the reason
    /// is in `fields["closed"]`).
    public var status: Int
    /// From the first byte of the request to the last byte of the response queued.
    public var duration: TimeInterval
    /// Response body bytes (without chunk framing).
    public var bytes: Int
    public var remoteAddress: String
    /// Extra fields the handler set with `HTTPResponder.logFields`; on 4xx/5xx, "error" holds
    /// the reason (the error envelope's message when the handler did not set one).
    public var fields: [String: String]
    /// The client went away before the response was complete.
    public var clientGone: Bool
    /// Also sent as `X-Request-Id`.
    public var requestID: String = ""

    /// The `message` of a JSON error envelope (`{"error": {"message": ...}}`), for the log line
    /// of a 4xx/5xx answer; nil for anything else. Small bodies only: errors are short.
    static func reason(fromErrorBody body: [UInt8]) -> String? {
        guard body.count <= 16_384, body.first == UInt8(ascii: "{"),
              let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return nil }
        return error["message"] as? String
    }
}
