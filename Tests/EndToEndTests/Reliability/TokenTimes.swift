import Foundation
import TestSupport

/// Reads a streamed /generate response on its own thread and records when each token line
/// arrived (monotonic seconds), so a test can compare the stream's rate across time windows.
final class TokenTimes: @unchecked Sendable {  // @unchecked: `times` and `text` are guarded by `lock`
    private let lock = NSLock()
    private var times: [Double] = []
    private var text: [UInt8] = []
    private let socket: RawClient
    private let marker = Array(#"{"token":"#.utf8)

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    init(port: Int, body: String) throws {
        socket = try RawClient(port: port)
        try socket.send("POST /generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
        let thread = Thread { [self] in readLoop() }
        thread.start()
    }

    private func readLoop() {
        socket.setTimeout(60)
        var scanned = 0
        while let bytes = socket.read() {
            let now = Self.now()
            lock.withLock {
                text += bytes
                // Count markers completed by these bytes (one may straddle two reads).
                var i = max(0, scanned - marker.count + 1)
                while i + marker.count <= text.count {
                    if text[i] == marker[0] && Array(text[i..<(i + marker.count)]) == marker { times.append(now) }
                    i += 1
                }
                scanned = text.count
            }
        }
    }

    /// A copy with a buffer of its own: a copy sharing `times`' buffer would be read here while the
    /// reader thread's next append checks that buffer's uniqueness (ThreadSanitizer reports it).
    var arrivals: [Double] { lock.withLock { times.map { $0 } } }

    /// Tokens per second over the tokens that arrived inside [from, to].
    func rate(from: Double, to: Double) -> Double {
        let inside = arrivals.filter { $0 >= from && $0 <= to }
        guard let first = inside.first, let last = inside.last, inside.count > 1, last > first else { return 0 }
        return Double(inside.count - 1) / (last - first)
    }

    /// The longest wait between two tokens inside [from, to].
    func longestGap(from: Double, to: Double) -> Double {
        let inside = arrivals.filter { $0 >= from && $0 <= to }
        return zip(inside.dropFirst(), inside).map { $0 - $1 }.max() ?? 0
    }

    func stop() { socket.close() }
}
