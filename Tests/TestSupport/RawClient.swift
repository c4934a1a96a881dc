import Foundation
import Glibc

/// A parsed response as the test client saw it.
public struct RawResponse {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
    public var isChunked: Bool { header("Transfer-Encoding")?.lowercased() == "chunked" }
}

public struct ClientError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Blocking TCP client over raw Glibc sockets, written for the tests so they see the bytes the
/// server really sends (an independent reading of RFC 9112 framing: Content-Length, chunked
/// chunk by chunk as it arrives, or read-until-close).
public final class RawClient {
    public let fd: Int32
    private var inbox: [UInt8] = []
    private var closed = false

    /// `timeout` bounds every blocking read; generous so a loaded machine doesn't flake.
    /// `receiveBuffer` (SO_RCVBUF, set before connecting so the window stays small) models a
    /// client that reads little or nothing.
    public init(port: Int, host: String = "127.0.0.1", timeout: Double = 10, receiveBuffer: Int? = nil) throws {
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

    public func setTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError(description: "send errno \(errno)") }
            offset += n
        }
    }

    /// Reads more bytes into the inbox; false on EOF / reset / timeout.
    @discardableResult
    public func fill() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        inbox += buffer[0..<n]
        return true
    }

    public func readLine() throws -> String {
        while true {
            if let lf = inbox.firstIndex(of: 10), lf > 0, inbox[lf - 1] == 13 {
                let line = String(decoding: inbox[0..<(lf - 1)], as: UTF8.self)
                inbox.removeFirst(lf + 1)
                return line
            }
            guard fill() else { throw ClientError(description: "connection ended inside a line") }
        }
    }

    public func readExactly(_ count: Int) throws -> [UInt8] {
        while inbox.count < count {
            guard fill() else { throw ClientError(description: "connection ended inside a body") }
        }
        let out = Array(inbox[0..<count])
        inbox.removeFirst(count)
        return out
    }

    /// Status line and headers; skips interim 1xx responses.
    public func readHead() throws -> RawResponse {
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
    public func readChunk() throws -> [UInt8]? {
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

    public func readResponse(method: String = "GET") throws -> RawResponse {
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
    public func waitForClose(within seconds: Double) -> Bool {
        setTimeout(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        let code = errno
        return inbox.isEmpty && (n == 0 || (n < 0 && code == ECONNRESET))
    }

    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    /// shutdown(SHUT_WR): "no more requests", still reading.
    public func halfClose() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Abortive close: RST instead of FIN, as a crashed or impatient client does.
    public func reset() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close()
    }

    /// A request with an optional JSON body (Content-Length framing).
    public func sendRequest(_ method: String, _ path: String, body: String? = nil,
                            headers: [(String, String)] = []) throws {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        let bodyBytes = Array((body ?? "").utf8)
        if body != nil { text += "Content-Type: application/json\r\nContent-Length: \(bodyBytes.count)\r\n" }
        try send(Array((text + "\r\n").utf8) + bodyBytes)
    }

    /// Bytes already received and not yet read, without blocking (shows a later line has
    /// not arrived yet).
    public func drainAvailable() -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while case let n = buffer.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }), n > 0 {
            inbox += buffer[0..<n]
        }
        return inbox
    }

    /// One whole request/response on a fresh connection.
    public static func exchange(port: Int, _ method: String, _ path: String, body: String? = nil,
                                headers: [(String, String)] = [], timeout: Double = 120) throws -> RawResponse {
        let client = try RawClient(port: port, timeout: timeout)
        defer { client.close() }
        try client.sendRequest(method, path, body: body, headers: headers + [("Connection", "close")])
        return try client.readResponse(method: method)
    }

    /// Some bytes (what is buffered, else one receive); nil at EOF, on a reset or after the
    /// read timeout.
    public func read() -> [UInt8]? {
        if inbox.isEmpty && !fill() { return nil }
        defer { inbox = [] }
        return inbox
    }

    /// Everything until the server closes (or `seconds` of silence).
    public func readAll(timeout seconds: Double = 10) -> String {
        setTimeout(seconds)
        var out: [UInt8] = []
        while let bytes = read() { out += bytes }
        return String(decoding: out, as: UTF8.self)
    }
}
