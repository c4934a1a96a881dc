/// HTTP/1.1 request framing (RFC 9112) as a value fed bytes. Each `feed` returns at most one
/// request; bytes after it stay buffered, so call `feed([])` to frame a pipelined next request.
/// After a rejection the parser stays rejected: the connection must answer and close.
public struct HTTPParser {
    public enum ParseResult: Equatable, Sendable {
        case needMore
        case request(HTTPRequest)
        case reject(status: Int, reason: String)
    }

    /// What the connection is waiting for; decides which read timeout applies.
    public enum Phase: Sendable { case idle, head, body }

    enum State {
        case head
        case body(BodyState)
        case failed(status: Int, reason: String)
    }

    enum BodyState {
        case length(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataCR, chunkDataLF
        case trailers(used: Int)
    }

    enum Line {
        case line(Range<Int>)
        case incomplete
        case tooLong
        case malformed(String)
    }

    public let maxHeaderBytes: Int
    public let maxBodyBytes: Int
    /// Longest chunk-size line including extensions (RFC 9112 section 7.1.1 sets no limit).
    static let maxChunkLineBytes = 4096

    var buffer: [UInt8] = []
    var cursor = 0
    /// Where the search for the next LF resumes, so a slowly arriving line is scanned once.
    var scanFrom = 0
    var state = State.head
    var headUsed = 0
    var requestLine: (method: String, target: String, version: String)?
    var headers = HTTPHeaders()
    var pending: HTTPRequest?
    var body: [UInt8] = []
    /// Head complete with `Expect: 100-continue` and body bytes still to come; the connection
    /// sends "100 Continue" and calls `continueSent()` (RFC 9110 section 10.1.1).
    public internal(set) var wantsContinue = false

    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1024 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    public var phase: Phase {
        switch state {
        case .head: return headUsed == 0 && cursor == buffer.count ? .idle : .head
        case .body, .failed: return .body
        }
    }

    /// Bytes received and not yet part of a returned request.
    public var bufferedByteCount: Int { buffer.count - cursor }

    public mutating func continueSent() { wantsContinue = false }

    public mutating func feed(_ bytes: [UInt8]) -> ParseResult {
        if case .failed(let status, let reason) = state { return .reject(status: status, reason: reason) }
        compact()
        buffer.append(contentsOf: bytes)
        let result = step()
        if case .reject(let status, let reason) = result { state = .failed(status: status, reason: reason) }
        return result
    }

    private mutating func step() -> ParseResult {
        while true {
            let result: ParseResult?
            switch state {
            case .failed(let status, let reason): return .reject(status: status, reason: reason)
            case .head: result = stepHead()
            case .body(let bodyState): result = stepBody(bodyState)
            }
            if let result { return result }
        }
    }

    /// One head line; nil means "made progress, keep going".
    private mutating func stepHead() -> ParseResult? {
        switch nextLine(limit: maxHeaderBytes - headUsed) {
        case .incomplete: return .needMore
        case .tooLong: return .reject(status: 431, reason: "request header section exceeds \(maxHeaderBytes) bytes")
        case .malformed(let why): return .reject(status: 400, reason: why)
        case .line(let range):
            headUsed += range.count + 2
            if requestLine == nil {
                // RFC 9112 section 2.2: ignore empty lines before the request-line.
                if range.isEmpty { return nil }
                return parseRequestLine(buffer[range])
            }
            if range.isEmpty { return finishHead() }
            return parseFieldLine(buffer[range], into: &headers)
        }
    }

    /// Finds the next CRLF-terminated line (content range, without CRLF). Size is checked before
    /// syntax so the verdict is the same however the bytes were split.
    mutating func nextLine(limit: Int) -> Line {
        var i = max(scanFrom, cursor)
        while i < buffer.count && buffer[i] != HTTPSyntax.lf { i += 1 }
        guard i < buffer.count else {
            scanFrom = buffer.count
            return buffer.count - cursor > limit ? .tooLong : .incomplete
        }
        let lineStart = cursor
        cursor = i + 1
        scanFrom = cursor
        if i + 1 - lineStart > limit { return .tooLong }
        // RFC 9112 section 2.2: a bare LF or bare CR is not a line ending here; reject both.
        guard i > lineStart && buffer[i - 1] == HTTPSyntax.cr else { return .malformed("bare LF in message head") }
        let content = lineStart..<(i - 1)
        if buffer[content].contains(HTTPSyntax.cr) { return .malformed("bare CR in message head") }
        return .line(content)
    }

    /// request-line = method SP request-target SP HTTP-version (RFC 9112 section 3).
    private mutating func parseRequestLine(_ line: ArraySlice<UInt8>) -> ParseResult? {
        let parts = line.split(separator: HTTPSyntax.sp, omittingEmptySubsequences: false)
        guard parts.count == 3, HTTPSyntax.isToken(parts[0]), !parts[1].isEmpty else {
            return .reject(status: 400, reason: "malformed request line")
        }
        let (method, target, version) = (parts[0], parts[1], parts[2])
        guard target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .reject(status: 400, reason: "invalid character in request target")
        }
        let v = Array(version)
        // HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 section 2.3).
        guard v.count == 8, v[0..<5].elementsEqual("HTTP/".utf8), HTTPSyntax.isDigit(v[5]),
              v[6] == UInt8(ascii: "."), HTTPSyntax.isDigit(v[7]) else {
            return .reject(status: 400, reason: "malformed HTTP version")
        }
        guard v[5] == UInt8(ascii: "1"), v[7] == UInt8(ascii: "0") || v[7] == UInt8(ascii: "1") else {
            return .reject(status: 505, reason: "only HTTP/1.0 and HTTP/1.1 are supported")
        }
        let methodString = String(decoding: method, as: UTF8.self)
        let targetString = String(decoding: target, as: UTF8.self)
        guard Self.isAcceptableTarget(targetString, method: methodString) else {
            return .reject(status: 400, reason: "request target must be origin-form")
        }
        requestLine = (methodString, targetString, String(decoding: v, as: UTF8.self))
        return nil
    }

    /// Origin-form, absolute-form (which servers must accept, RFC 9112 section 3.2.2), or
    /// asterisk-form for OPTIONS. Authority-form (CONNECT) is for proxies.
    static func isAcceptableTarget(_ target: String, method: String) -> Bool {
        if target.hasPrefix("/") { return true }
        if target == "*" { return method == "OPTIONS" }
        let lower = target.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// field-line = field-name ":" OWS field-value OWS (RFC 9112 section 5).
    func parseFieldLine(_ line: ArraySlice<UInt8>, into fields: inout HTTPHeaders) -> ParseResult? {
        guard let first = line.first, !HTTPSyntax.isOWS(first) else {
            return .reject(status: 400, reason: "obsolete line folding is not accepted")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            return .reject(status: 400, reason: "header line without colon")
        }
        let name = line[line.startIndex..<colon]
        if let last = name.last, HTTPSyntax.isOWS(last) {
            // RFC 9112 section 5.1: whitespace between name and colon MUST be rejected with 400.
            return .reject(status: 400, reason: "whitespace before colon in header field")
        }
        guard HTTPSyntax.isToken(name) else { return .reject(status: 400, reason: "invalid header field name") }
        var value = line[(colon + 1)...]
        guard value.allSatisfy(HTTPSyntax.isFieldValueByte) else {
            return .reject(status: 400, reason: "invalid character in header field value")
        }
        while let b = value.first, HTTPSyntax.isOWS(b) { value.removeFirst() }
        while let b = value.last, HTTPSyntax.isOWS(b) { value.removeLast() }
        fields.add(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        return nil
    }

    /// Drops consumed bytes once they dominate the buffer (amortised O(1) per byte).
    private mutating func compact() {
        guard cursor > 0, cursor >= 4096 || cursor == buffer.count, cursor * 2 >= buffer.count else { return }
        buffer.removeFirst(cursor)
        scanFrom -= cursor
        cursor = 0
    }

    mutating func resetForNextRequest() {
        state = .head
        headUsed = 0
        requestLine = nil
        headers = HTTPHeaders()
        pending = nil
        body = []
        wantsContinue = false
    }
}
