import Dispatch
import Foundation

/// HTTP/1.1 server on a non-blocking listening socket driven by Dispatch. Each connection
/// has its own serial queue; `handler` runs on it and may answer later from any thread.
// @unchecked: the mutable fields are guarded by `lock`; connections run on their own queues.
public final class HTTPServer: @unchecked Sendable {
    public let config: HTTPServerConfig
    private let handler: (HTTPRequest, HTTPResponder) -> Void
    private let lock = NSLock()
    private let acceptQueue = DispatchQueue(label: "kvserve.http.accept")
    private var listener: Int32 = -1
    private var acceptSource: DispatchSourceRead?
    private var tls: TLSContext?
    private var connections: [Int: HTTPConnection] = [:]
    private var admittedCount = 0
    private var nextID = 0
    private var boundPort = 0
    private var logHook: ((HTTPLogEntry) -> Void)?

    public init(config: HTTPServerConfig, handler: @escaping (HTTPRequest, HTTPResponder) -> Void) {
        self.config = config
        self.handler = handler
    }

    /// The bound port (the ephemeral one when `config.port` is 0); 0 before `start`.
    public var port: Int { lock.withLock { boundPort } }

    /// Open connections that were admitted (not the ones turned away with 503).
    public var activeConnectionCount: Int { lock.withLock { admittedCount } }

    /// One call per finished request (or per framing error, with method "-").
    public var onRequestLogged: ((HTTPLogEntry) -> Void)? {
        get { lock.withLock { logHook } }
        set { lock.withLock { logHook = newValue } }
    }

    public func start() throws {
        try lock.withLock {
            guard acceptSource == nil else { throw HTTPServerError.alreadyStarted }
            try config.validate()
            if let tlsConfig = config.tls { tls = try TLSContext(config: tlsConfig) }
            Socket.ignoreBrokenPipe()
            let (fd, port) = try Socket.listen(host: config.host, port: config.port, backlog: config.backlog)
            listener = fd
            boundPort = port
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: acceptQueue)
            source.setEventHandler { [weak self] in self?.acceptPending() }
            source.setCancelHandler { Socket.close(fd) }
            acceptSource = source
            source.resume()
        }
    }

    /// Closes the listening socket; new connection attempts are refused from now on.
    public func stopAccepting() {
        let (source, fd): (DispatchSourceRead?, Int32) = lock.withLock {
            defer { acceptSource = nil; listener = -1 }
            return (acceptSource, listener)
        }
        if fd >= 0 { Socket.stopListening(fd) }
        source?.cancel()
    }

    /// Stops accepting, closes idle keep-alive connections, lets in-flight responses finish
    /// for up to `deadline` seconds, then closes the rest and calls `completion`.
    public func shutdown(deadline: TimeInterval, completion: @escaping @Sendable () -> Void) {
        stopAccepting()
        for connection in lock.withLock({ Array(connections.values) }) {
            connection.queue.async { connection.beginDrain() }
        }
        let end = DispatchTime.now() + deadline
        waitForDrain(until: end, forced: false, completion: completion)
    }

    private func waitForDrain(until end: DispatchTime, forced: Bool, completion: @escaping @Sendable () -> Void) {
        let remaining = lock.withLock { Array(connections.values) }
        if remaining.isEmpty { return completion() }
        if DispatchTime.now() >= end {
            if forced { return completion() }  // the closes below were queued a second ago
            for connection in remaining {
                connection.queue.async { connection.close(reason: "shutdown: the drain deadline passed") }
            }
            let grace = DispatchTime.now() + 1
            return waitForDrain(until: grace, forced: true, completion: completion)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { [self] in
            waitForDrain(until: end, forced: forced, completion: completion)
        }
    }

    private func acceptPending() {
        // A bounded batch per event keeps one busy listener from starving other work.
        for _ in 0..<64 {
            let fd = lock.withLock { listener }
            guard fd >= 0 else { return }
            switch Socket.accept(fd) {
            case .connection(let client, let address): admit(fd: client, address: address)
            case .wouldBlock: return
            case .failed:
                // EMFILE and friends: the event fires again at once; pause so it doesn't spin.
                guard let source = lock.withLock({ acceptSource }) else { return }
                source.suspend()
                // Dispatch sources are thread-safe; the overlay just does not mark them Sendable.
                nonisolated(unsafe) let paused = source
                acceptQueue.asyncAfter(deadline: .now() + .milliseconds(100)) { paused.resume() }
                return
            }
        }
    }

    private func admit(fd: Int32, address: String) {
        let transport: Transport
        if let tls {
            guard let wrapped = tls.makeTransport(fd: fd) else { return Socket.close(fd) }
            transport = wrapped
        } else {
            transport = PlainTransport(fd: fd)
        }
        let (id, admitted) = lock.withLock {
            nextID += 1
            let admitted = admittedCount < config.maxConnections
            if admitted { admittedCount += 1 }
            return (nextID, admitted)
        }
        let hooks = HTTPConnection.Hooks(
            handler: handler,
            log: { [weak self] entry in self?.onRequestLogged?(entry) },
            closed: { [weak self] connection in self?.remove(connection) })
        let connection = HTTPConnection(id: id, transport: transport, config: config, remoteAddress: address,
                                        admitted: admitted, hooks: hooks)
        lock.withLock { connections[id] = connection }
        connection.start()
    }

    private func remove(_ connection: HTTPConnection) {
        lock.withLock {
            guard connections.removeValue(forKey: connection.id) != nil else { return }
            if connection.admitted { admittedCount -= 1 }
        }
    }
}
