import Foundation
import Logging

public enum LogLevel: String, Comparable, CaseIterable, Sendable {
    case debug, info, warning, error

    var swiftLog: Logger.Level {
        switch self {
        case .debug: return .debug
        case .info: return .info
        case .warning: return .warning
        case .error: return .error
        }
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.swiftLog < b.swiftLog }
}

public enum LogFormat: String, CaseIterable, Sendable {
    case text, json
}

/// The process's logger (swift-log), on stderr. `configure` sets level and format once the
/// configuration is known; until then it logs text at info.
public enum Log {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var current = Logger(label: "kvserve") { _ in
        LineLogHandler(level: .info, format: .text)
    }
    nonisolated(unsafe) private static var bootstrapped = false
    nonisolated(unsafe) private static var currentFormat = LogFormat.text

    public static var logger: Logger { lock.withLock { current } }

    public static func configure(level: LogLevel, format: LogFormat) {
        lock.withLock {
            currentFormat = format
            current = Logger(label: "kvserve") { _ in LineLogHandler(level: level.swiftLog, format: format) }
            // Libraries that make their own swift-log Logger write through the same handler.
            if !bootstrapped {
                bootstrapped = true
                LoggingSystem.bootstrap { _ in LineLogHandler(level: level.swiftLog, format: format) }
            }
        }
    }

    /// `details` repeat what `message` says in words: JSON lines carry them as fields, text
    /// lines leave them out so they stay short.
    public static func write(_ level: LogLevel, _ message: String, _ metadata: Logger.Metadata = [:],
                             details: Logger.Metadata = [:]) {
        let (logger, format) = lock.withLock { (current, currentFormat) }
        var fields = metadata
        if format == .json { fields.merge(details) { old, _ in old } }
        logger.log(level: level.swiftLog, "\(message)", metadata: fields.isEmpty ? nil : fields)
    }
}
