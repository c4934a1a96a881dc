import Foundation
#if canImport(Glibc)
import Glibc
#endif

// A deliberately small HTTP/1.1 client over a blocking POSIX socket, so the tests see the
// bytes the server really sends: the status line, header fields, and each chunk of a
// chunked body as it arrives (RFC 9112 section 7.1).
final class RawHTTPClient {
    struct Head {
        var status: Int
        var headers: [(name: String, value: String)]
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
        var isChunked: Bool { header("Transfer-Encoding")?.lowercased() == "chunked" }
    }

    struct ClientError: Error, CustomStringConvertible {
        let description: String
    }

    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    // `timeout` bounds every single read, so a server bug fails the test instead of hanging it.
    init(port: Int, timeout: TimeInterval = 120) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket: errno \(errno)") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            Glibc.close(fd)
            throw ClientError(description: "connect to port \(port): errno \(errno)")
        }
    }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError(description: "send: errno \(errno)") }
            sent += n
        }
    }

    func sendRequest(_ method: String, _ path: String, body: String? = nil,
                     headers: [(String, String)] = []) throws {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        let bodyBytes = Array((body ?? "").utf8)
        if body != nil { text += "Content-Type: application/json\r\nContent-Length: \(bodyBytes.count)\r\n" }
        text += "\r\n"
        try send(Array(text.utf8) + bodyBytes)
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { throw ClientError(description: "connection closed by the server") }
        if n < 0 { throw ClientError(description: "recv: errno \(errno) (timeout?)") }
        buffer.append(contentsOf: chunk[0..<n])
    }

    // Bytes already received, without blocking: used to show a later line has not arrived yet.
    func drainAvailable() -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n <= 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
        }
        return buffer
    }

    private func readLine() throws -> String {
        while true {
            if let i = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<i])
                buffer.removeFirst(i + 1)
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            try fill()
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let out = Array(buffer[..<count])
        buffer.removeFirst(count)
        return out
    }

    func readHead() throws -> Head {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw ClientError(description: "bad status line: \(statusLine)")
        }
        var headers: [(String, String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw ClientError(description: "bad header: \(line)") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return Head(status: status, headers: headers.map { (name: $0.0, value: $0.1) })
    }

    // The next chunk's data, or nil after the last-chunk (trailers are read and dropped).
    func readChunk() throws -> [UInt8]? {
        let sizeLine = try readLine()
        let hex = sizeLine.split(separator: ";").first.map(String.init) ?? ""
        guard let size = Int(hex.trimmingCharacters(in: .whitespaces), radix: 16) else {
            throw ClientError(description: "bad chunk size line: \(sizeLine)")
        }
        if size == 0 {
            while try !readLine().isEmpty {}
            return nil
        }
        let data = try readExactly(size)
        guard try readLine().isEmpty else { throw ClientError(description: "chunk not followed by CRLF") }
        return data
    }

    func readBody(_ head: Head) throws -> [UInt8] {
        if head.isChunked {
            var body: [UInt8] = []
            while let chunk = try readChunk() { body += chunk }
            return body
        }
        return try readExactly(Int(head.header("Content-Length") ?? "0") ?? 0)
    }

    // One whole request/response on a fresh connection.
    static func exchange(port: Int, _ method: String, _ path: String, body: String? = nil,
                         headers: [(String, String)] = []) throws -> (head: Head, body: [UInt8]) {
        let client = try RawHTTPClient(port: port)
        defer { client.close() }
        try client.sendRequest(method, path, body: body, headers: headers + [("Connection", "close")])
        let head = try client.readHead()
        return (head, try client.readBody(head))
    }
}
