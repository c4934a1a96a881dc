import Sampling
import Tokenization

/// Token ids to client text: bytes through a UTF-8 stream decoder (never half a character),
/// then through the stop matcher (a possible stop string is held back until decided).
struct TextStream {
    private var utf8 = UTF8StreamDecoder()
    private var stops: StopMatcher
    /// Everything emitted so far.
    private(set) var text = ""

    init(stops: [String]) {
        self.stops = StopMatcher(stops: stops)
    }

    mutating func append(_ bytes: [UInt8]) -> (emit: String, stopped: Bool) {
        let result = stops.append(utf8.append(bytes))
        text += result.emit
        return result
    }

    /// At the end of generation (not stopped): text still held back.
    mutating func finish() -> String {
        let last = stops.append(utf8.flush())
        let tail = last.stopped ? last.emit : last.emit + stops.flush()
        text += tail
        return tail
    }
}
