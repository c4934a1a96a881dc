import Foundation

/// One framed request. `path` is the target's path, still percent-encoded (so "%2F" never
/// turns into a segment separator); `query` is decoded, first occurrence of a key wins.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var target: String
    public var path: String
    public var query: [String: String]
    /// "HTTP/1.0" or "HTTP/1.1".
    public var version: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var remoteAddress: String
    /// Filled by `Router` from `{name}` segments.
    public var pathParameters: [String: String]

    public init(
        method: String, target: String, version: String = "HTTP/1.1",
        headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], remoteAddress: String = ""
    ) {
        self.method = method
        self.target = target
        let (path, query) = HTTPRequest.split(target: target)
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.pathParameters = [:]
    }

    public var bodyData: Data { Data(body) }

    /// RFC 9112 section 9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive".
    public var keepAlive: Bool {
        let options = headers.tokens(for: "Connection")
        if options.contains("close") { return false }
        return version == "HTTP/1.1" || options.contains("keep-alive")
    }

    /// Origin-form "/p?q", absolute-form "http://h/p?q" (RFC 9112 section 3.2.2) or "*".
    static func split(target: String) -> (String, [String: String]) {
        var rest = Substring(target)
        if let scheme = rest.range(of: "://"), !rest.hasPrefix("/") {
            let afterAuthority = rest[scheme.upperBound...]
            rest = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" })
                .map { afterAuthority[$0...] } ?? "/"
            if rest.hasPrefix("?") { rest = "/" + rest }
        }
        guard let mark = rest.firstIndex(of: "?") else { return (String(rest), [:]) }
        let path = String(rest[..<mark])
        var query: [String: String] = [:]
        for pair in rest[rest.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decodeQueryComponent(parts[0])
            let value = parts.count > 1 ? decodeQueryComponent(parts[1]) : ""
            if query[key] == nil { query[key] = value }
        }
        return (path, query)
    }

    /// application/x-www-form-urlencoded style: "+" is a space; bad escapes stay as written.
    static func decodeQueryComponent(_ raw: Substring) -> String {
        let spaced = raw.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
