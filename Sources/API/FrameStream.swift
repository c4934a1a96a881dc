import Foundation
import Generation
import HTTP

// A streamed answer built of ready-made frames (SSE events or NDJSON lines) for the OpenAI
// and Ollama routes. As in GenerationStream: engine events can arrive before `start` has
// sent the head (submit queues the job before returning), so frames wait in `pending`;
// a vanished client cancels the ticket.
// @unchecked: writes are serialized by `writeLock`, the pending frames and ticket by `stateLock`.
final class FrameStream: @unchecked Sendable {
    private let responder: StreamResponder
    private let headers: [(String, String)]
    private let writeLock = NSLock()
    private var started = false
    private var ended = false
    private var pending: [[UInt8]] = []
    private var endPending = false
    private let stateLock = NSLock()
    private var ticket: GenerationTicket?
    private var cancelRequested = false

    init(responder: StreamResponder, contentType: String) {
        self.responder = responder
        headers = [("Content-Type", contentType), ("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no")]
    }

    func start(ticket: GenerationTicket) {
        stateLock.lock()
        self.ticket = ticket
        let cancelNow = cancelRequested
        stateLock.unlock()
        if cancelNow { ticket.cancel() }
        writeLock.lock()
        responder.startStream(status: 200, headers: headers)
        started = true
        for frame in pending where !ended {
            if !responder.write(frame) { cancel() }
        }
        pending = []
        if endPending { finishLocked() }
        writeLock.unlock()
        responder.onClientGone { [weak self] in self?.cancel() }
        if responder.isClientGone { cancel() }
    }

    func send(_ frame: [UInt8]) {
        writeLock.lock()
        defer { writeLock.unlock() }
        guard !ended else { return }
        if !started { pending.append(frame); return }
        if !responder.write(frame) { cancel() }
    }

    func finish() {
        writeLock.lock()
        defer { writeLock.unlock() }
        if started { finishLocked() } else { endPending = true }
    }

    private func finishLocked() {
        guard !ended else { return }
        ended = true
        responder.finish()
    }

    func cancel() {
        stateLock.lock()
        cancelRequested = true
        let t = ticket
        stateLock.unlock()
        t?.cancel()
    }

    static func sse(_ value: JSONValue) -> [UInt8] { Array("data: ".utf8) + JSONWriter.bytes(value) + [0x0A, 0x0A] }
    static let sseDone = Array("data: [DONE]\n\n".utf8)
    static func ndjson(_ value: JSONValue) -> [UInt8] { JSONWriter.bytes(value) + [0x0A] }
}
