import Foundation
import HTTP
import Logging

/// One line per request: `POST /generate 200 812.3ms 1432B` with the request id, the
/// session, the reason of a 4xx/5xx and the handler's fields as log metadata.
enum AccessLog {
    static func write(_ entry: HTTPLogEntry) {
        // Status 0: the server closed a connection whose last response was already logged
        // (e.g. `closed=send_timeout` for a client that never read it).
        if entry.status == 0 { return Log.write(.warning, "connection closed", metadata(entry)) }
        let level: LogLevel = entry.status >= 500 ? .error : (entry.status >= 400 ? .warning : .info)
        Log.write(level, message(entry), metadata(entry), details: details(entry))
    }

    static func message(_ entry: HTTPLogEntry) -> String {
        "\(entry.method) \(entry.path) \(entry.status) \(milliseconds(entry))ms \(entry.bytes)B"
    }

    /// On every line: the request id, the client, and what the handler added (tokens, the
    /// session, the error's reason).
    static func metadata(_ entry: HTTPLogEntry) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["request_id": .string(entry.requestID), "remote": .string(entry.remoteAddress)]
        for (key, value) in entry.fields { metadata[key] = .string(value) }
        if entry.clientGone { metadata["client_gone"] = .string("true") }
        return metadata
    }

    /// What the message already says, as fields for JSON lines.
    static func details(_ entry: HTTPLogEntry) -> Logger.Metadata {
        ["method": .string(entry.method), "path": .string(entry.path), "status": .stringConvertible(entry.status),
         "duration_ms": .stringConvertible(milliseconds(entry)), "bytes": .stringConvertible(entry.bytes)]
    }

    private static func milliseconds(_ entry: HTTPLogEntry) -> Double { (entry.duration * 10_000).rounded() / 10 }
}
