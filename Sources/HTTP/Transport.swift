/// Result of one non-blocking read or write.
enum IOResult {
    /// Bytes moved (> 0).
    case bytes(Int)
    /// Nothing now; retry when the socket is readable (TLS may need that for a write) or writable.
    case wouldBlock(waitForWritable: Bool)
    /// Orderly end of the peer's data.
    case eof
    case failed(String)
}

/// Byte pipe over one accepted socket: plain, or TLS on top of it.
protocol Transport: AnyObject {
    var fd: Int32 { get }
    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult
    func write(from buffer: UnsafeRawBufferPointer) -> IOResult
    /// No more output: TLS close_notify, then a TCP half-close.
    func shutdownWrite()
    /// Releases everything and closes the descriptor; call once.
    func close()
}

final class PlainTransport: Transport {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult { Socket.read(fd, into: buffer) }
    func write(from buffer: UnsafeRawBufferPointer) -> IOResult { Socket.write(fd, from: buffer) }
    func shutdownWrite() { Socket.shutdownWrite(fd) }
    func close() { Socket.close(fd) }
}
