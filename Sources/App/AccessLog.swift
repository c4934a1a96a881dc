import Foundation
import HTTP
import Logging

/// One line per request: `POST /generate 200 812.3ms 1432B` with the request id, the
/// session, the reason of a 4xx/5xx and the handler's fields as log metadata.
enum AccessLog {
    static func write(_ entry: HTTPLogEntry) {
        let (message, metadata) = line(entry)
        let level: LogLevel = entry.status >= 500 ? .error : (entry.status >= 400 ? .warning : .info)
        Log.write(level, message, metadata)
    }

    static func line(_ entry: HTTPLogEntry) -> (String, Logger.Metadata) {
        let milliseconds = (entry.duration * 10_000).rounded() / 10
        let message = "\(entry.method) \(entry.path) \(entry.status) \(milliseconds)ms \(entry.bytes)B"
        var metadata: Logger.Metadata = [
            "request_id": .string(entry.requestID),
            "method": .string(entry.method),
            "path": .string(entry.path),
            "status": .stringConvertible(entry.status),
            "duration_ms": .stringConvertible(milliseconds),
            "bytes": .stringConvertible(entry.bytes),
            "remote": .string(entry.remoteAddress),
        ]
        for (key, value) in entry.fields { metadata[key] = .string(value) }
        if entry.clientGone { metadata["client_gone"] = .string("true") }
        return (message, metadata)
    }
}
