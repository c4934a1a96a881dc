import Foundation
import Glibc
import XCTest

/// A parsed response as the test client saw it.
struct RawResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

struct ClientError: Error, CustomStringConvertible {
    let description: String
}

/// Blocking TCP client over raw Glibc sockets, written for the tests (an independent
/// reading of RFC 9112 framing: Content-Length, chunked, or read-until-close).
final class RawClient {
    let fd: Int32
    private var inbox: [UInt8] = []
    private var closed = false

    /// `timeout` bounds every blocking read; generous so a loaded machine doesn't flake.
    /// `receiveBuffer` (SO_RCVBUF, set before connecting so the window stays small) models a
    /// client that reads little or nothing.
    init(port: Int, host: String = "127.0.0.1", timeout: Double = 10, receiveBuffer: Int? = nil) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let info = list else {
            throw ClientError(description: "getaddrinfo \(host)")
        }
        defer { freeaddrinfo(list) }
        fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket errno \(errno)") }
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw ClientError(description: "connect errno \(code)")
        }
        setTimeout(timeout)
    }

    deinit { if !closed { Glibc.close(fd) } }

    func setTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError(description: "send errno \(errno)") }
            offset += n
        }
    }

    /// Reads more bytes into the inbox; false on EOF / reset / timeout.
    @discardableResult
    func fill() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        inbox += buffer[0..<n]
        return true
    }

    func readLine() throws -> String {
        while true {
            if let lf = inbox.firstIndex(of: 10), lf > 0, inbox[lf - 1] == 13 {
                let line = String(decoding: inbox[0..<(lf - 1)], as: UTF8.self)
                inbox.removeFirst(lf + 1)
                return line
            }
            guard fill() else { throw ClientError(description: "connection ended inside a line") }
        }
    }

    func readExactly(_ count: Int) throws -> [UInt8] {
        while inbox.count < count {
            guard fill() else { throw ClientError(description: "connection ended inside a body") }
        }
        let out = Array(inbox[0..<count])
        inbox.removeFirst(count)
        return out
    }

    /// Status line and headers; skips interim 1xx responses.
    func readHead() throws -> RawResponse {
        while true {
            let statusLine = try readLine()
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                throw ClientError(description: "bad status line \(statusLine)")
            }
            var headers: [(String, String)] = []
            while case let line = try readLine(), !line.isEmpty {
                guard let colon = line.firstIndex(of: ":") else { throw ClientError(description: "bad header \(line)") }
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            if status >= 200 { return RawResponse(status: status, headers: headers, body: []) }
        }
    }

    /// One chunk's data; nil after the last chunk (trailers consumed).
    func readChunk() throws -> [UInt8]? {
        let sizeLine = try readLine()
        guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else {
            throw ClientError(description: "bad chunk size \(sizeLine)")
        }
        if size == 0 {
            while try !readLine().isEmpty {}
            return nil
        }
        let data = try readExactly(size)
        guard try readLine().isEmpty else { throw ClientError(description: "chunk without CRLF") }
        return data
    }

    func readResponse(method: String = "GET") throws -> RawResponse {
        var response = try readHead()
        if method == "HEAD" || response.status == 204 || response.status == 304 { return response }
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while let chunk = try readChunk() { response.body += chunk }
        } else if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            response.body = try readExactly(length)
        } else {
            while fill() {}
            response.body = inbox
            inbox = []
        }
        return response
    }

    /// True if the peer closes (EOF or reset) within `seconds` and sent nothing else.
    func waitForClose(within seconds: Double) -> Bool {
        setTimeout(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        let code = errno
        return inbox.isEmpty && (n == 0 || (n < 0 && code == ECONNRESET))
    }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    /// shutdown(SHUT_WR): "no more requests", still reading.
    func halfClose() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Abortive close: RST instead of FIN, as a crashed or impatient client does.
    func reset() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close()
    }
}
