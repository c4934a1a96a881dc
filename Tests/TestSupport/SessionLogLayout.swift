/// Record boundaries of a session log (the format in Sources/Sessions/SessionLog.swift), for
/// tests that damage a log at a chosen place. Written from the format, not with the reader.
public enum SessionLogLayout {
    /// Start offsets of the records: after the header (magic, version, two u32-length-prefixed
    /// strings, CRC), each record is magic, u32 payload length, payload, CRC. A last record cut
    /// short is listed too.
    public static func recordOffsets(_ bytes: [UInt8]) -> [Int] {
        func word(_ at: Int) -> Int? {
            guard at >= 0, at + 4 <= bytes.count else { return nil }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        guard let identity = word(8), let layout = word(12 + identity) else { return [] }
        var offset = 16 + identity + layout + 4
        var starts: [Int] = []
        while offset < bytes.count {
            starts.append(offset)
            guard let length = word(offset + 4) else { break }
            offset += 8 + length + 4
        }
        return starts
    }
}
