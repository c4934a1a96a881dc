import Foundation
import Synchronization

/// Collects what a child process writes to a pipe, readable from any thread while it runs.
/// A thread of its own reads until end of file, so `waitForEnd` knows when every byte is in
/// (FileHandle's readability handler sometimes never reports the end, and a caller that
/// guessed with a short sleep could read a truncated body). Bytes are kept whole: a UTF-8
/// character may straddle two reads.
final class OutputCollector: Sendable {
    let pipe = Pipe()
    private let state = Mutex((bytes: Data(), ended: false))

    init() {
        let reading = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = read(reading.fileDescriptor, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                state.withLock { $0.bytes.append(contentsOf: buffer[0..<n]) }
            }
            state.withLock { $0.ended = true }
        }
    }

    var text: String { state.withLock { String(decoding: $0.bytes, as: UTF8.self) } }

    /// Waits until the writer's end of the pipe is closed (every byte read), or the deadline.
    func waitForEnd(until deadline: Date) {
        while !state.withLock({ $0.ended }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    }
}
