import Foundation
import Glibc

/// A minimal HTTP/1.0 GET over a blocking socket with timeouts: enough for the container's
/// health check to ask the running server, without curl in the image.
enum HealthProbe {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Returns the status code of `GET path` on host:port; with `connectOnly`, 0 once connected.
    static func status(host: String, port: Int, path: String, timeout: Double, connectOnly: Bool = false) throws -> Int {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let info = list else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let address = StartupReport.address(host, port)
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            throw Failure(description: "cannot connect to \(address): \(String(cString: strerror(errno)))")
        }
        if connectOnly { return 0 }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(address)\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw Failure(description: "cannot send to \(address): \(String(cString: strerror(errno)))")
        }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw Failure(description: "no answer from \(address)") }
        // "HTTP/1.1 200 OK": the status is the second word of the first line (RFC 9112 section 4).
        let words = String(decoding: buffer[..<count], as: UTF8.self).split(separator: " ")
        guard words.count >= 2, words[0].hasPrefix("HTTP/"), let status = Int(words[1]) else {
            throw Failure(description: "not an HTTP answer from \(address)")
        }
        return status
    }
}
