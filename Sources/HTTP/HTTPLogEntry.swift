import Foundation

/// One finished (or abandoned) request, for the access log.
public struct HTTPLogEntry: Sendable {
    public var method: String
    public var path: String
    public var status: Int
    /// From the first byte of the request to the last byte of the response queued.
    public var duration: TimeInterval
    /// Response body bytes (without chunk framing).
    public var bytes: Int
    public var remoteAddress: String
    /// Extra fields the handler set with `HTTPResponder.logFields`.
    public var fields: [String: String]
    /// The client went away before the response was complete.
    public var clientGone: Bool
}
