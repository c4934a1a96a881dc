import Foundation

/// Answers one request. Thread-safe: the handler may call it from any thread, at any later
/// time. Calls are applied in order on the connection's queue; nothing here blocks, so the
/// model worker may write tokens directly. A peer that does not keep up is handled by the
/// connection (send deadlines, output cap): its stream is cut, never its producer slowed.
// @unchecked: every mutable field is guarded by `lock`.
public final class HTTPResponder: @unchecked Sendable {
    enum State { case idle, streaming, done }

    private let lock = NSLock()
    private let connection: HTTPConnection
    private var state = State.idle
    private var gone = false
    /// The peer left before the response was complete (what `onClientGone` reports).
    private var goneDuringResponse = false
    private var goneCallbacks: [@Sendable () -> Void] = []
    private var fields: [String: String] = [:]
    /// The request's id: the client's `X-Request-Id` when sane, else a new one. It is sent back
    /// as `X-Request-Id` and logged with the request.
    public let requestID: String

    init(connection: HTTPConnection, requestID: String) {
        self.connection = connection
        self.requestID = requestID
    }

    /// Extra access-log fields, e.g. `responder.logFields["tokens"] = "42"`.
    public var logFields: [String: String] {
        get { lock.withLock { fields } }
        set { lock.withLock { fields = newValue } }
    }

    public var isClientGone: Bool { lock.withLock { gone } }

    /// `callback` runs once, on a global queue, if the peer closes or resets before the
    /// response is complete; at once if that already happened.
    public func onClientGone(_ callback: @escaping @Sendable () -> Void) {
        let runNow: Bool = lock.withLock {
            if gone { return goneDuringResponse }
            goneCallbacks.append(callback)
            return false
        }
        if runNow { DispatchQueue.global().async(execute: callback) }
    }

    /// A complete response; Content-Length is set from `body`.
    public func respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        lock.withLock {
            guard state == .idle else { return }
            state = .done
            let connection = self.connection
            connection.queue.async {
                connection.beginResponse(self, status: status, headers: headers, body: body, complete: true)
            }
        }
    }

    public func respond(status: Int, headers: [(String, String)] = [], body: Data) {
        respond(status: status, headers: headers, body: [UInt8](body))
    }

    /// The HTTP layer's JSON error envelope with `Content-Type: application/json`.
    public func respondError(status: Int, type: String? = nil, message: String, headers: [(String, String)] = []) {
        let json = HTTPErrorBody.json(type: type ?? HTTPErrorBody.type(forStatus: status), message: message)
        respond(status: status, headers: [("Content-Type", "application/json")] + headers, body: json)
    }

    /// Sends the head now, with unknown length (chunked on HTTP/1.1); then `write` and `finish`.
    public func startStream(status: Int = 200, headers: [(String, String)] = []) {
        lock.withLock { startLocked(status: status, headers: headers) }
    }

    private func startLocked(status: Int, headers: [(String, String)]) {
        guard state == .idle else { return }
        state = .streaming
        let connection = self.connection
        connection.queue.async {
            connection.beginResponse(self, status: status, headers: headers, body: nil, complete: false)
        }
    }

    /// Queues one chunk and flushes it at once; never waits for the peer. Returns false once
    /// the client is gone, the response is finished, or the chunk would pass the connection's
    /// output cap (the stream is then cut: the connection closes with `closed=output_cap`).
    @discardableResult
    public func write(_ chunk: [UInt8]) -> Bool {
        let accepted: Bool = lock.withLock {
            if state == .idle { startLocked(status: 200, headers: []) }
            guard state == .streaming, !gone else { return false }
            guard !chunk.isEmpty else { return true }
            let connection = self.connection
            guard connection.reserve(chunk.count) else {
                state = .done  // a dropped chunk: nothing after it may be sent
                let reason = "output_cap: the client fell over \(connection.outputCapBytes) bytes behind"
                connection.queue.async { connection.close(reason: reason) }
                return false
            }
            connection.queue.async { connection.sendPiece(self, chunk) }
            return true
        }
        return accepted && !isClientGone
    }

    @discardableResult
    public func write(_ chunk: Data) -> Bool { write([UInt8](chunk)) }

    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// Ends a streamed response (the last chunk on HTTP/1.1).
    public func finish() {
        lock.withLock {
            if state == .idle { startLocked(status: 200, headers: []) }
            guard state == .streaming else { return }
            state = .done
            let connection = self.connection
            connection.queue.async { connection.endResponse(self) }
        }
    }

    /// Called by the connection when the peer is gone; fires the callbacks if still responding.
    func markClientGone() {
        let callbacks: [@Sendable () -> Void] = lock.withLock {
            guard !gone else { return [] }
            gone = true
            goneDuringResponse = state != .done
            let pending = state == .done ? [] : goneCallbacks
            goneCallbacks = []
            return pending
        }
        for callback in callbacks { DispatchQueue.global().async(execute: callback) }
    }
}
