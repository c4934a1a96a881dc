import Foundation

/// Certificate chain and private key, both PEM files.
public struct TLSConfig: Sendable, Equatable {
    public var certificatePath: String
    public var keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }
}

/// Listening address, limits and timeouts. Timeouts are in seconds.
public struct HTTPServerConfig: Sendable {
    /// Numeric address or name; "::" listens dual-stack (IPv6 and IPv4-mapped).
    public var host: String
    /// 0 binds an ephemeral port; read the real one from `HTTPServer.port`.
    public var port: Int
    public var backlog: Int
    /// Request line plus header section, including the final empty line (RFC 9112 section 2.1).
    public var maxHeaderBytes: Int
    /// Decoded body size (after de-chunking).
    public var maxBodyBytes: Int
    /// From the first byte of a request until its header section is complete.
    public var headerTimeout: TimeInterval
    /// From the end of the header section until the body is complete.
    public var bodyTimeout: TimeInterval
    /// A keep-alive connection with no request in progress is closed silently after this; so
    /// is one whose peer takes none of the queued output for this long (the send deadline).
    public var idleTimeout: TimeInterval
    public var maxConnections: Int
    /// Output bytes one connection may keep queued for longer than `idleTimeout` (the peer reads
    /// too slowly: closed); 4x this cuts a stream at once. Writers never block on it.
    public var maxOutputBufferBytes: Int
    public var tls: TLSConfig?
    /// Origins allowed to call from a browser; nil: no CORS headers, preflights get 405.
    public var cors: CORSPolicy? = nil
    /// Sent on every response, errors of the HTTP layer included (e.g. which replica answered).
    public var responseHeaders: [(String, String)] = []

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        backlog: Int = 128,
        maxHeaderBytes: Int = 16 * 1024,
        maxBodyBytes: Int = 1024 * 1024,
        headerTimeout: TimeInterval = 10,
        bodyTimeout: TimeInterval = 30,
        idleTimeout: TimeInterval = 60,
        maxConnections: Int = 256,
        maxOutputBufferBytes: Int = 1024 * 1024,
        tls: TLSConfig? = nil
    ) {
        self.host = host
        self.port = port
        self.backlog = backlog
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.maxOutputBufferBytes = maxOutputBufferBytes
        self.tls = tls
    }

    /// Throws `HTTPServerError.invalidConfig` naming the first setting out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ setting: String, _ message: String) throws {
            if !ok { throw HTTPServerError.invalidConfig(setting: setting, message: message) }
        }
        try check((0...65535).contains(port), "port", "\(port) is not in 0...65535")
        try check(!host.isEmpty, "host", "must not be empty")
        try check(backlog > 0, "backlog", "must be positive, got \(backlog)")
        try check(maxHeaderBytes >= 64, "maxHeaderBytes", "must be at least 64, got \(maxHeaderBytes)")
        try check(maxBodyBytes >= 0, "maxBodyBytes", "must not be negative, got \(maxBodyBytes)")
        try check(maxConnections > 0, "maxConnections", "must be positive, got \(maxConnections)")
        try check(maxOutputBufferBytes > 0, "maxOutputBufferBytes", "must be positive, got \(maxOutputBufferBytes)")
        for (name, value) in [("headerTimeout", headerTimeout), ("bodyTimeout", bodyTimeout),
                              ("idleTimeout", idleTimeout)] {
            try check(value > 0 && value.isFinite, name, "must be a positive number of seconds, got \(value)")
        }
    }
}
