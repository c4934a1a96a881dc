import Foundation
import Logging

/// A swift-log handler that writes one line per event: readable text or one JSON object.
/// text: `2026-11-30T05:00:00.123Z INFO POST /generate 200 request_id=4f1c... status=200`
/// json: `{"time":"2026-11-30T05:00:00.123Z","level":"info","message":"POST /generate 200","request_id":"4f1c..."}`
struct LineLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level
    let format: LogFormat
    let sink: @Sendable (String) -> Void

    init(level: Logger.Level, format: LogFormat, sink: @escaping @Sendable (String) -> Void = LineLogHandler.standardError) {
        self.logLevel = level
        self.format = format
        self.sink = sink
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let time = Self.timestamp(Date())
        switch format {
        case .text: sink(Self.textLine(time: time, level: event.level, message: "\(event.message)", fields: fields))
        case .json: sink(Self.jsonLine(time: time, level: event.level, message: "\(event.message)", fields: fields))
        }
    }

    static func textLine(time: String, level: Logger.Level, message: String, fields: Logger.Metadata) -> String {
        var line = "\(time) \(level.rawValue.uppercased()) \(message)"
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            let text = "\(value)"
            // Quote values a reader could not split on spaces.
            let plain = !text.isEmpty && !text.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
            line += " \(key)=\(plain ? text : JSONText.quoted(text))"
        }
        return line
    }

    static func jsonLine(time: String, level: Logger.Level, message: String, fields: Logger.Metadata) -> String {
        var members = ["\"time\":\(JSONText.quoted(time))", "\"level\":\(JSONText.quoted(level.rawValue))",
                       "\"message\":\(JSONText.quoted(message))"]
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where !["time", "level", "message"].contains(key) {
            members.append("\(JSONText.quoted(key)):\(json(value))")
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// Numbers stay numbers (durations, statuses); everything else is a string, list or object.
    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): return JSONText.quoted(string)
        case .stringConvertible(let item):
            if let int = item as? Int { return String(int) }
            if let double = item as? Double, double.isFinite { return String(double) }
            return JSONText.quoted(item.description)
        case .array(let items): return "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let object):
            return "{" + object.sorted { $0.key < $1.key }.map { "\(JSONText.quoted($0.key)):\(json($0.value))" }
                .joined(separator: ",") + "}"
        }
    }

    static func timestamp(_ date: Date) -> String {
        // ISO 8601 in UTC with milliseconds; a formatter per call keeps this free of shared state.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    private static let lock = NSLock()

    /// Whole lines under one lock, so lines from different threads never interleave.
    static let standardError: @Sendable (String) -> Void = { line in
        lock.withLock { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}
