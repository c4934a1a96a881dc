import COpenSSL
import Glibc

/// Server-side OpenSSL context: TLS 1.2 minimum, certificate chain and key from PEM files.
/// All OpenSSL calls of the module live in this file.
final class TLSContext {
    private let context: OpaquePointer

    init(config: TLSConfig) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw HTTPServerError.tls(file: nil, message: "SSL_CTX_new: \(TLSContext.lastError())")
        }
        self.context = context
        guard kvserve_ssl_ctx_set_min_tls12(context) == 1 else {
            throw HTTPServerError.tls(file: nil, message: "cannot require TLS 1.2: \(TLSContext.lastError())")
        }
        _ = kvserve_ssl_ctx_set_nonblocking_modes(context)
        try Self.checkReadable(config.certificatePath)
        try Self.checkReadable(config.keyPath)
        ERR_clear_error()
        guard SSL_CTX_use_certificate_chain_file(context, config.certificatePath) == 1 else {
            throw HTTPServerError.tls(file: config.certificatePath, message: "bad certificate: \(TLSContext.lastError())")
        }
        guard SSL_CTX_use_PrivateKey_file(context, config.keyPath, SSL_FILETYPE_PEM) == 1 else {
            throw HTTPServerError.tls(file: config.keyPath, message: "bad private key: \(TLSContext.lastError())")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw HTTPServerError.tls(file: config.keyPath,
                                      message: "key does not match certificate: \(TLSContext.lastError())")
        }
    }

    deinit { SSL_CTX_free(context) }

    /// The negotiated floor, e.g. 0x0303 for TLS 1.2 (SSL_CTX_get_min_proto_version is a macro).
    var minimumProtocolVersion: Int {
        SSL_CTX_ctrl(context, SSL_CTRL_GET_MIN_PROTO_VERSION, 0, nil)
    }

    func makeTransport(fd: Int32) -> Transport? {
        guard let ssl = SSL_new(context) else { return nil }
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            return nil
        }
        SSL_set_accept_state(ssl)
        return TLSTransport(ssl: ssl, fd: fd)
    }

    private static func checkReadable(_ path: String) throws {
        guard access(path, R_OK) == 0 else {
            let code = errno
            throw HTTPServerError.tls(file: path, message: "cannot read file: \(Socket.message(code)) (errno \(code))")
        }
    }

    /// Drains OpenSSL's per-thread error queue into one line.
    static func lastError() -> String {
        var parts: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            parts.append(String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return parts.isEmpty ? "unknown OpenSSL error" : parts.joined(separator: "; ")
    }
}

/// One TLS connection over a non-blocking socket. The handshake runs inside the first
/// read or write; WANT_READ / WANT_WRITE become `.wouldBlock` with the readiness to wait for.
final class TLSTransport: Transport {
    let fd: Int32
    private let ssl: OpaquePointer

    init(ssl: OpaquePointer, fd: Int32) {
        self.ssl = ssl
        self.fd = fd
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        ERR_clear_error()
        let n = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        return n > 0 ? .bytes(Int(n)) : outcome(n)
    }

    func write(from buffer: UnsafeRawBufferPointer) -> IOResult {
        ERR_clear_error()
        let n = SSL_write(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        return n > 0 ? .bytes(Int(n)) : outcome(n)
    }

    func shutdownWrite() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)  // sends close_notify; a non-blocking failure here is harmless
        Socket.shutdownWrite(fd)
    }

    func close() {
        SSL_free(ssl)
        Socket.close(fd)
    }

    private func outcome(_ returned: Int32) -> IOResult {
        let code = errno
        switch SSL_get_error(ssl, returned) {
        case SSL_ERROR_WANT_READ: return .wouldBlock(waitForWritable: false)
        case SSL_ERROR_WANT_WRITE: return .wouldBlock(waitForWritable: true)
        case SSL_ERROR_ZERO_RETURN: return .eof
        case SSL_ERROR_SYSCALL:
            let detail = TLSContext.lastError()
            return code == 0 ? .eof : .failed("TLS I/O: \(Socket.message(code)); \(detail)")
        default: return .failed("TLS: \(TLSContext.lastError())")
        }
    }
}
