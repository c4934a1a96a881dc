import Foundation

public enum LogLevel: String, Comparable {
    case debug, info, warning, error

    private var rank: Int { [.debug: 0, .info: 1, .warning: 2, .error: 3][self] ?? 1 }
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rank < b.rank }
}

/// One line per event on stderr, with a UTC timestamp; safe from any thread.
public enum Log {
    nonisolated(unsafe) static var threshold = LogLevel.info
    private static let lock = NSLock()
    private static let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    public static func write(_ level: LogLevel, _ message: String) {
        guard level >= threshold else { return }
        lock.lock()
        defer { lock.unlock() }
        let line = "\(formatter.string(from: Date())) \(level.rawValue.uppercased()) \(message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
