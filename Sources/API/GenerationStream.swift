import Foundation
import Generation
import HTTP

// One streaming /generate response. Events arrive on the engine's worker thread, possibly
// before `start` has sent the headers (submit queues the job before it returns), so they
// are held in `pending` until the status line is out; after that each event is written as
// its own chunk as soon as it arrives: NDJSON lines, or SSE `data:` events.
// @unchecked: the stream state is guarded by `writeLock` and the ticket by its own leaf lock.
final class GenerationStream: @unchecked Sendable {
    enum Framing { case ndjson, sse }

    private let responder: StreamResponder
    private let framing: Framing

    // Guards started/pending/ended and orders the writes. Held while calling the
    // responder, so it is never taken on the client-gone path (see stateLock).
    private let writeLock = NSLock()
    private var started = false
    private var ended = false
    private var pending: [GenerationEvent] = []

    // Leaf lock for the ticket: the client-gone callback may run on an HTTP queue while a
    // write is blocked on back-pressure, so cancelling must not wait for writeLock.
    private let stateLock = NSLock()
    private var ticket: GenerationTicket?
    private var cancelRequested = false

    init(responder: StreamResponder, framing: Framing) {
        self.responder = responder
        self.framing = framing
    }

    static func headers(_ framing: Framing) -> [(String, String)] {
        let type = framing == .sse ? "text/event-stream" : "application/x-ndjson"
        // no-cache / X-Accel-Buffering stop proxies (nginx) from holding tokens back.
        return [("Content-Type", type), ("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no")]
    }

    // Called by the handler right after Engine.submit succeeded: headers go out before prefill.
    func start(ticket: GenerationTicket) {
        stateLock.lock()
        self.ticket = ticket
        let cancelNow = cancelRequested
        stateLock.unlock()
        if cancelNow { ticket.cancel() }

        writeLock.lock()
        responder.startStream(status: 200, headers: GenerationStream.headers(framing))
        started = true
        let held = pending
        pending = []
        for event in held { emit(event) }
        writeLock.unlock()

        responder.onClientGone { [weak self] in self?.cancel() }
        if responder.isClientGone { cancel() }
    }

    // The engine's onEvent callback.
    func handle(_ event: GenerationEvent) {
        writeLock.lock()
        defer { writeLock.unlock() }
        if started { emit(event) } else { pending.append(event) }
    }

    func cancel() {
        stateLock.lock()
        cancelRequested = true
        let t = ticket
        stateLock.unlock()
        t?.cancel()
    }

    // Caller holds writeLock.
    private func emit(_ event: GenerationEvent) {
        guard !ended else { return }
        switch event {
        case .token(let id, let text):
            if !responder.write(frame(ResultEncoding.token(id: id, text: text))) { cancel() }
        case .finished(let result):
            responder.logFields["tokens"] = String(result.usage.promptTokens + result.usage.completionTokens)
            end(with: ResultEncoding.result(result, done: true))
        case .failed(let error):
            responder.logFields["error"] = error.description
            // Headers are gone already, so the status cannot change: the error travels as
            // the last object of the stream (with `done`) instead of a silent cut.
            end(with: responder.shown(APIError(error)).finalEnvelope)
        }
    }

    private func end(with last: JSONValue) {
        ended = true
        _ = responder.write(frame(last))
        responder.finish()
    }

    private func frame(_ value: JSONValue) -> [UInt8] {
        let json = JSONWriter.bytes(value)
        switch framing {
        case .ndjson: return json + [0x0A]
        // text/event-stream: one `data:` line per event, a blank line ends it (HTML
        // Living Standard 9.2.6). Compact JSON never contains a raw newline.
        case .sse: return Array("data: ".utf8) + json + [0x0A, 0x0A]
        }
    }
}

// What a stream needs from HTTPResponder; a protocol so the event ordering and the
// failure paths can be tested with a recording fake.
protocol StreamResponder: ErrorReporting {
    func startStream(status: Int, headers: [(String, String)])
    func write(_ chunk: [UInt8]) -> Bool
    func finish()
    var isClientGone: Bool { get }
    func onClientGone(_ callback: @escaping @Sendable () -> Void)
}

extension HTTPResponder: StreamResponder {}
