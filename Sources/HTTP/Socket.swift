import Glibc

/// Every Glibc socket call the server makes, in one place; failures capture errno.
enum Socket {
    enum Accepted {
        case connection(fd: Int32, address: String)
        case wouldBlock
        case failed(errno: Int32)
    }

    /// Non-blocking listening socket with SO_REUSEADDR; "::" is dual-stack (IPV6_V6ONLY off).
    /// Returns the descriptor and the bound port (useful when `port` is 0).
    static func listen(host: String, port: Int, backlog: Int) throws -> (fd: Int32, port: Int) {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let info = list else {
            throw HTTPServerError.badAddress(host: host, port: port, message: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                        | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw systemError("socket") }
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, name: "setsockopt(SO_REUSEADDR)")
            if info.pointee.ai_family == AF_INET6 {
                try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0, name: "setsockopt(IPV6_V6ONLY)")
            }
            guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else { throw systemError("bind") }
            guard Glibc.listen(fd, Int32(backlog)) == 0 else { throw systemError("listen") }
            return (fd, try boundPort(fd))
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    static func accept(_ listener: Int32) -> Accepted {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.accept(listener, $0, &length)
            }
        }
        guard fd >= 0 else {
            let code = errno
            return code == EAGAIN || code == EWOULDBLOCK || code == EINTR ? .wouldBlock : .failed(errno: code)
        }
        // accept4 is hidden without _GNU_SOURCE, so set the flags after accept.
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        guard fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0 else {
            let code = errno
            Glibc.close(fd)
            return .failed(errno: code)
        }
        // Streamed chunks must leave at once, not wait for Nagle's algorithm.
        _ = try? setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1, name: "setsockopt(TCP_NODELAY)")
        return .connection(fd: fd, address: describe(&storage))
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .eof }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock(waitForWritable: false) }
            return .failed(message(code))
        }
    }

    /// MSG_NOSIGNAL: a reset peer gives EPIPE here instead of killing the process.
    static func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer) -> IOResult {
        while true {
            let n = send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .bytes(n) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock(waitForWritable: true) }
            return .failed(message(code))
        }
    }

    static func shutdownWrite(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }

    static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// Linux: shutting down a listening socket stops it at once (new connects are refused)
    /// while the descriptor stays valid until its dispatch source's cancel handler closes it.
    static func stopListening(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// OpenSSL writes with write(2), which raises SIGPIPE on a reset peer; a server ignores it.
    static func ignoreBrokenPipe() { _ = signal(SIGPIPE, SIG_IGN) }

    static func message(_ code: Int32) -> String { String(cString: strerror(code)) }

    private static func systemError(_ call: String) -> HTTPServerError {
        let code = errno
        return .system(call: call, errno: code, message: message(code))
    }

    private static func setOption(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Int32, name: String) throws {
        var v = value
        guard setsockopt(fd, level, option, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw systemError(name)
        }
    }

    private static func boundPort(_ fd: Int32) throws -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { throw systemError("getsockname") }
        return portOf(&storage)
    }

    private static func portOf(_ storage: inout sockaddr_storage) -> Int {
        withUnsafePointer(to: &storage) { raw in
            if Int32(raw.pointee.ss_family) == AF_INET6 {
                return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    /// "1.2.3.4:port" or "[::1]:port"; IPv4-mapped IPv6 addresses print as IPv4.
    private static func describe(_ storage: inout sockaddr_storage) -> String {
        let port = portOf(&storage)
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(storage.ss_family)
        withUnsafePointer(to: &storage) { raw in
            if family == AF_INET6 {
                raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a in
                    var address = a.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
                }
            } else {
                raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a in
                    var address = a.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
                }
            }
        }
        var host = String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if host.hasPrefix("::ffff:") && host.contains(".") { host.removeFirst(7) }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
