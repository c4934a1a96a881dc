import Dispatch
import Foundation

/// Response side of a connection: framing, the output buffer, flushing, output bounds, close.
/// Producers (the engine's worker among them) never wait here: a peer that does not read
/// meets the send deadlines in `nextDeadline` or the hard cap in `reserve`, and only its own
/// connection is closed.
extension HTTPConnection {
    func beginResponse(_ responder: HTTPResponder, status: Int, headers: [(String, String)],
                       body: [UInt8]?, complete: Bool) {
        guard !closed, current === responder, let request = currentRequest else { return }
        var headers = headers + config.responseHeaders + (config.cors?.responseHeaders(for: request) ?? [])
        if !headers.contains(where: { $0.0.lowercased() == "x-request-id" }) {
            headers.append((RequestID.header, responder.requestID))
        }
        if status >= 400, let body, responder.logFields["error"] == nil,
           let reason = HTTPLogEntry.reason(fromErrorBody: body) {
            responder.logFields["error"] = reason
        }
        let head = ResponseWriter.head(status: status, headers: headers, bodyLength: body?.count,
                                       method: request.method, version: request.version,
                                       close: closeAfterResponse)
        closeAfterResponse = head.close
        currentFraming = head.framing
        currentStatus = status
        append(head.bytes)
        if let body {
            let piece = ResponseWriter.piece(body, framing: head.framing)
            currentBodyBytes += piece.count
            append(piece)
        }
        if complete { responseFinished() }
        flush()
    }

    func sendPiece(_ responder: HTTPResponder, _ chunk: [UInt8]) {
        guard !closed, current === responder else { return }
        let piece = ResponseWriter.piece(chunk, framing: currentFraming)
        // `reserve` counted chunk.count; correct it to what actually goes on the wire.
        adjustBacklog(piece.count - chunk.count)
        if currentFraming != .none { currentBodyBytes += chunk.count }
        if outOffset == outBuffer.count { sendProgressAt = .now() }  // the send clock starts now
        outBuffer.append(contentsOf: piece)
        flush()
    }

    func endResponse(_ responder: HTTPResponder) {
        guard !closed, current === responder else { return }
        append(ResponseWriter.end(framing: currentFraming))
        responseFinished()
        flush()
    }

    /// An error of the HTTP layer itself (framing, limits, timeouts, 503): JSON, then close.
    func sendError(status: Int, message: String) {
        guard !closed else { return }
        let body = HTTPErrorBody.json(type: HTTPErrorBody.type(forStatus: status), message: message)
        let requestID = RequestID.make()
        let head = ResponseWriter.head(status: status, headers: [("Content-Type", "application/json"),
                                                                 (RequestID.header, requestID)] + config.responseHeaders,
                                       bodyLength: body.count, method: "GET", version: "HTTP/1.1", close: true)
        append(head.bytes + body)
        noMoreRequests = true
        closeAfterResponse = true
        hooks.log(HTTPLogEntry(method: "-", path: "-", status: status,
                               duration: seconds(since: requestStart ?? currentStart), bytes: body.count,
                               remoteAddress: remoteAddress, fields: ["error": message], clientGone: false,
                               requestID: requestID))
        flush()
    }

    private func responseFinished() {
        logCurrent(clientGone: false)
        current = nil
        currentRequest = nil
        idleSince = .now()
        if closeAfterResponse { noMoreRequests = true }
    }

    func logCurrent(clientGone: Bool) {
        guard let request = currentRequest, let responder = current else { return }
        hooks.log(HTTPLogEntry(method: request.method, path: request.path, status: currentStatus,
                               duration: seconds(since: currentStart), bytes: currentBodyBytes,
                               remoteAddress: remoteAddress, fields: responder.logFields,
                               clientGone: clientGone, requestID: responder.requestID))
    }

    private func seconds(since start: DispatchTime) -> TimeInterval {
        Double(DispatchTime.now().uptimeNanoseconds &- start.uptimeNanoseconds) / 1e9
    }

    func append(_ bytes: [UInt8]) {
        if outOffset == outBuffer.count { sendProgressAt = .now() }  // the send clock starts now
        adjustBacklog(bytes.count)
        outBuffer.append(contentsOf: bytes)
    }

    /// Writes as much as the socket takes; when drained, moves on (next request or close).
    func flush() {
        guard !closed else { return }
        writeWantsReadable = false
        defer { if !closed { noteQueued() } }
        while outOffset < outBuffer.count {
            let result = outBuffer.withUnsafeBytes { transport.write(from: UnsafeRawBufferPointer(rebasing: $0[outOffset...])) }
            switch result {
            case .bytes(let n):
                outOffset += n
                sendProgressAt = .now()
                adjustBacklog(-n)
            case .wouldBlock(let waitForWritable):
                if waitForWritable { activateWriteSource() } else { writeWantsReadable = true }
                return
            case .eof, .failed:
                return close()
            }
        }
        outBuffer.removeAll(keepingCapacity: outBuffer.capacity <= 256 * 1024)
        outOffset = 0
        if !readWantsWritable { suspendWriteSource() }
        if current == nil {
            if noMoreRequests { beginLinger() } else { processInput() }
        }
    }

    /// Keeps the send deadlines armed: once per stretch of output waiting for the peer, and
    /// when the queue crosses `maxOutputBufferBytes` (the timer recomputes when it fires).
    private func noteQueued() {
        let queued = outBuffer.count - outOffset
        var changed = false
        if queued > 0 {
            if !sendClockArmed { sendClockArmed = true; changed = true }
        } else {
            sendClockArmed = false
        }
        if queued > config.maxOutputBufferBytes {
            if overBoundSince == nil { overBoundSince = .now(); changed = true }
        } else {
            overBoundSince = nil
        }
        if changed { rearmTimer() }
    }

    /// Half-close, then read and discard until the peer closes or the linger time is up.
    private func beginLinger() {
        guard !lingering, !closed else { return }
        lingering = true
        lingerStart = .now()
        lingerLastRead = lingerStart
        lingerDiscarded = pendingInput.count
        pendingInput = []
        setReading(true)
        transport.shutdownWrite()
        rearmTimer()
    }

    func activateWriteSource() {
        guard !writeSourceActive, !closed else { return }
        writeSourceActive = true
        writeSource?.resume()
    }

    private func suspendWriteSource() {
        guard writeSourceActive else { return }
        writeSourceActive = false
        writeSource?.suspend()
    }

    /// Bytes queued for one response beyond which a stream is cut at once: the send
    /// deadlines bound the time a slow peer may hold output, this bounds the memory.
    var outputCapBytes: Int { config.maxOutputBufferBytes * 4 }

    /// From `HTTPResponder.write`, any thread: counts a chunk before it reaches the queue.
    /// False (nothing counted) when the connection is closed or the chunk would pass the cap.
    func reserve(_ bytes: Int) -> Bool {
        flow.withLock {
            guard !flowClosed, backlog + bytes <= outputCapBytes else { return false }
            backlog += bytes
            return true
        }
    }

    private func adjustBacklog(_ delta: Int) {
        flow.withLock {
            guard !flowClosed else { return }
            backlog += delta
        }
    }
}
