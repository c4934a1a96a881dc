import Dispatch
import Foundation

/// One accepted socket. All state below is confined to `queue` (a serial queue); the
/// responder reaches it only through `queue.async`, except the output counter in `flow`.
// @unchecked: the mutable state is confined to `queue` (see above) and `backlog`/`flowClosed`
// to the `flow` lock; the compiler cannot see a queue confinement.
final class HTTPConnection: @unchecked Sendable {
    enum Deadline {
        case silentClose
        case timeout(String)
        /// Output is queued and the peer stopped reading: close, logged with the reason.
        case sendStalled(String)
    }

    struct Hooks {
        var handler: (HTTPRequest, HTTPResponder) -> Void
        var log: (HTTPLogEntry) -> Void
        var closed: (HTTPConnection) -> Void
    }

    static let readChunkBytes = 64 * 1024
    /// Lingering close (RFC 9112 section 9.6): after the last response byte (write side shut),
    /// keep reading and discarding so request bytes still arriving, e.g. the rest of a body
    /// refused with 413, don't make the kernel answer with a reset that destroys the response
    /// before the client has read it. Until the peer closes, it pauses `lingerSeconds`, or
    /// `lingerMaxSeconds` / `lingerMaxBytes` in all are spent.
    static let lingerSeconds = 2.0
    static let lingerMaxSeconds = 10.0
    static let lingerMaxBytes = 256 * 1024 * 1024

    let id: Int
    let queue: DispatchQueue
    let transport: Transport
    let config: HTTPServerConfig
    let remoteAddress: String
    let admitted: Bool
    let hooks: Hooks
    let queueKey = DispatchSpecificKey<Int>()

    var parser: HTTPParser
    var readSource: DispatchSourceRead?
    var writeSource: DispatchSourceWrite?
    var writeSourceActive = false
    var readSuspended = false
    var timer: DispatchSourceTimer?
    var pendingCancels = 0
    var readBuffer = [UInt8](repeating: 0, count: HTTPConnection.readChunkBytes)
    var pendingInput: [UInt8] = []
    var outBuffer: [UInt8] = []
    var outOffset = 0
    var readWantsWritable = false
    var writeWantsReadable = false

    var current: HTTPResponder?
    var currentFraming = ResponseFraming.none
    var currentStatus = 0
    var currentBodyBytes = 0
    var currentRequest: HTTPRequest?
    var currentStart = DispatchTime.now()
    var requestStart: DispatchTime?
    var bodyStart: DispatchTime?
    var idleSince = DispatchTime.now()
    var servedAny = false
    /// Close once the current response is out (request asked, framing needs it, or draining).
    var closeAfterResponse = false
    /// A closing response has been queued: read no further requests.
    var noMoreRequests = false
    var draining = false
    var lingering = false
    var lingerDiscarded = 0
    var lingerStart = DispatchTime.now()
    var lingerLastRead = DispatchTime.now()
    var peerClosedAt: DispatchTime?
    var closed = false
    var deadline: (time: DispatchTime, action: Deadline)?
    /// Last time the socket accepted output bytes, or output became pending (the send deadline).
    var sendProgressAt = DispatchTime.now()
    /// The send deadline is armed for the output now waiting.
    var sendClockArmed = false
    /// Since when more than `maxOutputBufferBytes` have waited for the socket (nil: under it).
    var overBoundSince: DispatchTime?

    /// Bytes handed over by `write` and not yet accepted by the socket; guarded by `flow`.
    let flow = NSLock()
    var backlog = 0
    var flowClosed = false

    init(id: Int, transport: Transport, config: HTTPServerConfig, remoteAddress: String,
         admitted: Bool, hooks: Hooks) {
        self.id = id
        self.transport = transport
        self.config = config
        self.remoteAddress = remoteAddress
        self.admitted = admitted
        self.hooks = hooks
        self.queue = DispatchQueue(label: "kvserve.http.connection.\(id)")
        self.parser = HTTPParser(maxHeaderBytes: config.maxHeaderBytes, maxBodyBytes: config.maxBodyBytes)
        queue.setSpecific(key: queueKey, value: id)
    }

    /// Installs the sources; a connection over the limit only gets its 503 and a close.
    func start() {
        queue.async { [self] in
            let read = DispatchSource.makeReadSource(fileDescriptor: transport.fd, queue: queue)
            read.setEventHandler { [unowned self] in onReadable() }
            read.setCancelHandler { [self] in sourceCancelled() }
            let write = DispatchSource.makeWriteSource(fileDescriptor: transport.fd, queue: queue)
            write.setEventHandler { [unowned self] in onWritable() }
            write.setCancelHandler { [self] in sourceCancelled() }
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.setEventHandler { [unowned self] in onTimer() }
            readSource = read
            writeSource = write
            self.timer = timer
            pendingCancels = 2
            read.resume()
            timer.resume()
            if admitted {
                rearmTimer()
            } else {
                sendError(status: 503, message: "too many connections (limit \(config.maxConnections))")
            }
        }
    }

    private func onReadable() {
        if writeWantsReadable { flush() }
        // TLS may hold decrypted bytes the socket no longer signals, so read until it would block.
        while !closed && !readSuspended {
            let result = readBuffer.withUnsafeMutableBytes { transport.read(into: $0) }
            switch result {
            case .bytes(let n):
                received(n)
            case .wouldBlock(let waitForWritable):
                if waitForWritable {
                    readWantsWritable = true
                    activateWriteSource()
                }
                return
            case .eof:
                return peerFinishedSending()
            case .failed:
                return close()
            }
        }
    }

    /// EOF: the peer closed, or only half-closed its side. Like other servers we report the
    /// client as gone at once (the engine cancels), but let what the handler still sends go
    /// out for a short grace period: a half-closed peer then gets its answer, a closed one
    /// makes the next write fail.
    private func peerFinishedSending() {
        if lingering || (current == nil && outOffset == outBuffer.count) { return close() }
        current?.markClientGone()
        peerClosedAt = .now()
        noMoreRequests = true
        closeAfterResponse = true
        setReading(false)  // the read source would keep reporting the EOF
        rearmTimer()
    }

    private func onWritable() {
        if readWantsWritable {
            readWantsWritable = false
            onReadable()
        }
        flush()
    }

    private func received(_ count: Int) {
        if lingering {
            lingerDiscarded += count
            lingerLastRead = .now()
            if lingerDiscarded > Self.lingerMaxBytes { close() }
            return
        }
        if requestStart == nil && current == nil && parser.phase == .idle && pendingInput.isEmpty {
            requestStart = .now()
        }
        pendingInput.append(contentsOf: readBuffer[0..<count])
        if current == nil && !noMoreRequests {
            processInput()
        } else if pendingInput.count > config.maxHeaderBytes + config.maxBodyBytes {
            // Pipelined bytes beyond one maximal request wait in the kernel, not in memory.
            // (A peer reset is then noticed by the next write instead of by a read.)
            setReading(false)
        }
    }

    func setReading(_ on: Bool) {
        guard on == readSuspended, !closed else { return }
        readSuspended = !on
        if on { readSource?.resume() } else { readSource?.suspend() }
    }

    /// Frames the next request from buffered bytes, if no response is in progress.
    func processInput() {
        guard !closed, current == nil, !noMoreRequests, outOffset == outBuffer.count else { return }
        setReading(true)
        if requestStart == nil && (!pendingInput.isEmpty || parser.bufferedByteCount > 0) { requestStart = .now() }
        let result = parser.feed(pendingInput)
        pendingInput = []
        switch result {
        case .needMore:
            if parser.phase == .body && bodyStart == nil { bodyStart = .now() }
            if parser.wantsContinue {
                parser.continueSent()
                append(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                flush()
            }
            rearmTimer()
        case .request(var request):
            request.remoteAddress = remoteAddress
            dispatch(request)
        case .reject(let status, let reason):
            sendError(status: status, message: reason)
        }
    }

    private func dispatch(_ request: HTTPRequest) {
        let responder = HTTPResponder(connection: self, requestID: RequestID.accept(request.headers[RequestID.header]))
        current = responder
        currentRequest = request
        currentStart = requestStart ?? .now()
        currentStatus = 0
        currentBodyBytes = 0
        requestStart = nil
        bodyStart = nil
        servedAny = true
        if !request.keepAlive || draining { closeAfterResponse = true }
        rearmTimer()
        if let headers = config.cors?.preflightHeaders(for: request) {
            return responder.respond(status: 204, headers: headers)
        }
        hooks.handler(request, responder)
    }

    /// Server shutdown: an idle connection closes now; a busy one after its response.
    func beginDrain() {
        guard !closed else { return }
        draining = true
        if current == nil && parser.phase == .idle && pendingInput.isEmpty {
            if outOffset == outBuffer.count && !lingering { return close() }
            noMoreRequests = true  // a previous response is still going out; linger after it
        } else {
            closeAfterResponse = true
        }
    }

    func rearmTimer() {
        guard let timer, !closed else { return }
        deadline = nextDeadline()
        timer.schedule(deadline: deadline?.time ?? .distantFuture, leeway: .milliseconds(10))
    }

    /// The earliest of the phase's deadline and the send deadlines (output queued and not
    /// taken by the peer for `idleTimeout`; or over `maxOutputBufferBytes` that long).
    private func nextDeadline() -> (time: DispatchTime, action: Deadline)? {
        var next = phaseDeadline()
        if lingering || peerClosedAt != nil { return next }
        if outOffset < outBuffer.count {
            let stalled = (sendProgressAt + config.idleTimeout,
                           Deadline.sendStalled("send_timeout: the client read nothing for \(config.idleTimeout) s"))
            if next == nil || stalled.0 < next!.time { next = stalled }
        }
        if let overBoundSince {
            let slow = (overBoundSince + config.idleTimeout,
                        Deadline.sendStalled("slow_reader: over \(config.maxOutputBufferBytes) bytes queued for \(config.idleTimeout) s"))
            if next == nil || slow.0 < next!.time { next = slow }
        }
        return next
    }

    private func phaseDeadline() -> (time: DispatchTime, action: Deadline)? {
        if lingering {
            return (min(lingerLastRead + Self.lingerSeconds, lingerStart + Self.lingerMaxSeconds), .silentClose)
        }
        if let peerClosedAt { return (peerClosedAt + Self.lingerSeconds, .silentClose) }
        if current != nil { return nil }
        // A response still going out is covered by the send deadline alone.
        if outOffset < outBuffer.count { return nil }
        // Fixed points in time only (never `now`): `onTimer` recomputes before acting.
        // `idleSince` is the accept time until a response is served.
        switch parser.phase {
        case .idle where servedAny:
            return (idleSince + config.idleTimeout, .silentClose)
        case .idle:
            return ((requestStart ?? idleSince) + config.headerTimeout, .silentClose)
        case .head:
            return ((requestStart ?? idleSince) + config.headerTimeout,
                    .timeout("request header not received within \(config.headerTimeout) s"))
        case .body:
            return ((bodyStart ?? requestStart ?? idleSince) + config.bodyTimeout,
                    .timeout("request body not received within \(config.bodyTimeout) s"))
        }
    }

    private func onTimer() {
        guard !closed else { return }
        // Recomputed: progress since the timer was set may have moved a deadline later.
        guard let (time, action) = nextDeadline(), DispatchTime.now() >= time else { return rearmTimer() }
        deadline = nil
        switch action {
        case .silentClose: close()
        case .timeout(let message): sendError(status: 408, message: message)
        case .sendStalled(let reason): close(reason: reason)
        }
    }

    /// Tears everything down; the descriptor closes after both sources are cancelled. With a
    /// `reason` the server chose to close (a send deadline, an output cap): the request in
    /// progress is logged with `closed=<reason>` instead of as a vanished client.
    func close(reason: String? = nil) {
        guard !closed else { return }
        closed = true
        flow.withLock {
            flowClosed = true
            backlog = 0
        }
        if let responder = current {
            if let reason { responder.logFields["closed"] = reason }
            responder.markClientGone()
            logCurrent(clientGone: reason == nil)
            current = nil
        } else if let reason {
            hooks.log(HTTPLogEntry(method: "-", path: "-", status: 0, duration: 0, bytes: 0,
                                   remoteAddress: remoteAddress, fields: ["closed": reason], clientGone: false))
        }
        timer?.cancel()
        if readSuspended { readSource?.resume() }
        readSource?.cancel()
        if !writeSourceActive { writeSource?.resume() }
        writeSource?.cancel()
        hooks.closed(self)
    }

    private func sourceCancelled() {
        pendingCancels -= 1
        if pendingCancels == 0 { transport.close() }
    }
}
