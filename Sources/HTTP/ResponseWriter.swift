import Glibc

/// How a response body is delimited (RFC 9112 section 6.3).
enum ResponseFraming {
    case contentLength
    case chunked
    /// HTTP/1.0 peer and unknown length: the body ends when the connection closes.
    case closeDelimited
    /// HEAD, 1xx, 204, 304: no body bytes at all.
    case none
}

/// Serialises response heads and body pieces. "Unknown length means chunked" is decided
/// here and nowhere else: `bodyLength == nil` selects chunked (1.1) or close-delimited (1.0).
enum ResponseWriter {
    struct Head {
        var bytes: [UInt8]
        var framing: ResponseFraming
        var close: Bool
    }

    static func head(status: Int, headers: [(String, String)], bodyLength: Int?,
                     method: String, version: String, close wantsClose: Bool) -> Head {
        let bodyless = status < 200 || status == 204 || status == 304
        var framing: ResponseFraming
        if bodyless {
            framing = .none
        } else if bodyLength != nil {
            framing = .contentLength
        } else {
            framing = version == "HTTP/1.1" ? .chunked : .closeDelimited
        }
        let close = wantsClose || framing == .closeDelimited
        var text = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\n"
        var hasDate = false
        for (name, value) in headers {
            let lower = name.lowercased()
            // Framing and persistence are ours to set; a handler's copies would contradict them.
            if lower == "content-length" || lower == "transfer-encoding" || lower == "connection" { continue }
            if lower == "date" { hasDate = true }
            text += "\(sanitize(name)): \(sanitize(value))\r\n"
        }
        if !hasDate { text += "Date: \(httpDate())\r\n" }
        switch framing {
        case .contentLength: text += "Content-Length: \(bodyLength ?? 0)\r\n"
        case .chunked: text += "Transfer-Encoding: chunked\r\n"
        case .closeDelimited, .none: break
        }
        if close {
            text += "Connection: close\r\n"
        } else if version == "HTTP/1.0" {
            text += "Connection: keep-alive\r\n"
        }
        text += "\r\n"
        // A HEAD response carries the GET headers but never a body (RFC 9110 section 9.3.2).
        if method == "HEAD" { framing = .none }
        return Head(bytes: Array(text.utf8), framing: framing, close: close)
    }

    /// chunk = chunk-size CRLF chunk-data CRLF (RFC 9112 section 7.1). An empty piece would
    /// read as the last chunk, so it produces nothing.
    static func piece(_ bytes: [UInt8], framing: ResponseFraming) -> [UInt8] {
        switch framing {
        case .none: return []
        case .contentLength, .closeDelimited: return bytes
        case .chunked:
            guard !bytes.isEmpty else { return [] }
            var out = Array(String(bytes.count, radix: 16).utf8)
            out.reserveCapacity(out.count + bytes.count + 4)
            out += [HTTPSyntax.cr, HTTPSyntax.lf]
            out += bytes
            out += [HTTPSyntax.cr, HTTPSyntax.lf]
            return out
        }
    }

    /// last-chunk and an empty trailer section.
    static func end(framing: ResponseFraming) -> [UInt8] {
        framing == .chunked ? Array("0\r\n\r\n".utf8) : []
    }

    /// CR / LF in a handler's header would split the response; replace them with spaces.
    static func sanitize(_ s: String) -> String {
        s.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
            ? String(s.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 }) : s
    }

    /// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 section 5.6.7).
    static func httpDate() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(parts.tm_wday) % 7]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon) % 12]) "
            + "\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return status < 400 ? "OK" : (status < 500 ? "Client Error" : "Server Error")
        }
    }
}
