/// Message body framing: RFC 9112 section 6 (length) and section 7.1 (chunked).
extension HTTPParser {
    enum Framing {
        case none
        case length(Int)
        case chunked
    }

    /// The empty line after the fields: validate, decide framing, maybe return a request.
    mutating func finishHead() -> ParseResult? {
        guard let line = requestLine else { return .reject(status: 400, reason: "missing request line") }
        // RFC 9112 section 3.2: a 1.1 request without exactly one Host field gets 400.
        if line.version == "HTTP/1.1" && headers.values(for: "Host").count != 1 {
            return .reject(status: 400, reason: "HTTP/1.1 request needs exactly one Host header")
        }
        let framing: Framing
        switch decideFraming(version: line.version) {
        case .failure(let rejection): return rejection.result
        case .success(let decided): framing = decided
        }
        if let reject = checkExpect(version: line.version, framing: framing) { return reject }
        pending = HTTPRequest(method: line.method, target: line.target, version: line.version, headers: headers)
        switch framing {
        case .none, .length(0): return completeRequest()
        case .length(let n):
            body.reserveCapacity(n)
            state = .body(.length(remaining: n))
        case .chunked: state = .body(.chunkSize)
        }
        return nil
    }

    struct Rejection: Error {
        let result: ParseResult
    }

    private func decideFraming(version: String) -> Result<Framing, Rejection> {
        let contentLengths = headers.values(for: "Content-Length")
        let hasTE = headers.contains("Transfer-Encoding")
        func reject(_ status: Int, _ reason: String) -> Result<Framing, Rejection> {
            .failure(Rejection(result: .reject(status: status, reason: reason)))
        }
        if hasTE {
            // RFC 9112 section 6.1: TE with CL may be smuggling; TE in 1.0 is faulty framing.
            if !contentLengths.isEmpty { return reject(400, "both Content-Length and Transfer-Encoding") }
            if version == "HTTP/1.0" { return reject(400, "Transfer-Encoding in an HTTP/1.0 request") }
            let codings = headers.tokens(for: "Transfer-Encoding")
            if codings.isEmpty { return reject(400, "empty Transfer-Encoding") }
            if let unknown = codings.first(where: { $0 != "chunked" }) {
                return reject(501, "unsupported transfer coding \"\(unknown)\"")
            }
            // Section 6.1: chunked MUST NOT be applied more than once.
            if codings.count > 1 { return reject(400, "chunked applied more than once") }
            return .success(.chunked)
        }
        guard let raw = contentLengths.first else { return .success(.none) }
        // Section 6.3: several or list-valued Content-Length fields are unrecoverable.
        if contentLengths.count > 1 { return reject(400, "duplicate Content-Length") }
        guard !raw.isEmpty, raw.utf8.allSatisfy(HTTPSyntax.isDigit) else {
            return reject(400, "Content-Length must be decimal digits")
        }
        let digits = raw.drop(while: { $0 == "0" })
        guard digits.count <= 18, let length = Int(digits.isEmpty ? "0" : String(digits)),
              length <= maxBodyBytes else {
            return reject(413, "request body exceeds \(maxBodyBytes) bytes")
        }
        return .success(.length(length))
    }

    private mutating func checkExpect(version: String, framing: Framing) -> ParseResult? {
        let expectations = headers.tokens(for: "Expect")
        // RFC 9110 section 10.1.1: a 1.0 request's Expect is ignored.
        guard !expectations.isEmpty, version == "HTTP/1.1" else { return nil }
        guard expectations == ["100-continue"] else {
            return .reject(status: 417, reason: "unsupported expectation")
        }
        if case .none = framing { return nil }
        if case .length(0) = framing { return nil }
        wantsContinue = true
        return nil
    }

    mutating func completeRequest() -> ParseResult {
        var request = pending ?? HTTPRequest(method: "", target: "/")
        request.body = body
        resetForNextRequest()
        return .request(request)
    }

    mutating func stepBody(_ bodyState: BodyState) -> ParseResult? {
        switch bodyState {
        case .length(let remaining):
            let take = min(remaining, buffer.count - cursor)
            if take == 0 { return .needMore }
            body.append(contentsOf: buffer[cursor..<(cursor + take)])
            cursor += take
            if take == remaining { return completeRequest() }
            state = .body(.length(remaining: remaining - take))
            return .needMore
        case .chunkSize: return stepChunkSize()
        case .chunkData(let remaining):
            let take = min(remaining, buffer.count - cursor)
            if take == 0 { return .needMore }
            body.append(contentsOf: buffer[cursor..<(cursor + take)])
            cursor += take
            state = .body(take == remaining ? .chunkDataCR : .chunkData(remaining: remaining - take))
            return nil
        case .chunkDataCR, .chunkDataLF:
            guard cursor < buffer.count else { return .needMore }
            let expected = bodyState.isCR ? HTTPSyntax.cr : HTTPSyntax.lf
            guard buffer[cursor] == expected else {
                return .reject(status: 400, reason: "chunk data not followed by CRLF")
            }
            cursor += 1
            state = .body(bodyState.isCR ? .chunkDataLF : .chunkSize)
            return nil
        case .trailers(let used): return stepTrailer(used: used)
        }
    }

    /// chunk-size [ chunk-ext ] CRLF, chunk-size = 1*HEXDIG (RFC 9112 section 7.1).
    private mutating func stepChunkSize() -> ParseResult? {
        switch nextLine(limit: Self.maxChunkLineBytes) {
        case .incomplete: return .needMore
        case .tooLong: return .reject(status: 400, reason: "chunk size line too long")
        case .malformed(let why): return .reject(status: 400, reason: why)
        case .line(let range):
            let line = buffer[range]
            let hexEnd = line.firstIndex { HTTPSyntax.hexValue($0) == nil } ?? line.endIndex
            let hex = line[line.startIndex..<hexEnd]
            guard !hex.isEmpty, Self.isValidChunkExtension(line[hexEnd...]) else {
                return .reject(status: 400, reason: "invalid chunk size")
            }
            var size = 0
            for digit in hex.drop(while: { $0 == UInt8(ascii: "0") }) {
                size = size * 16 + (HTTPSyntax.hexValue(digit) ?? 0)
                if size > maxBodyBytes { break }  // stops overflow; already over the limit
            }
            if size > maxBodyBytes - body.count {
                return .reject(status: 413, reason: "request body exceeds \(maxBodyBytes) bytes")
            }
            state = .body(size == 0 ? .trailers(used: 0) : .chunkData(remaining: size))
            return nil
        }
    }

    /// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ); extensions are ignored,
    /// but must start with ";" after optional whitespace and hold no control characters.
    static func isValidChunkExtension(_ rest: ArraySlice<UInt8>) -> Bool {
        let trimmed = rest.drop(while: HTTPSyntax.isOWS)
        if trimmed.isEmpty { return rest.isEmpty }
        guard trimmed.first == UInt8(ascii: ";") else { return false }
        let name = trimmed.dropFirst().drop(while: HTTPSyntax.isOWS)
        guard let first = name.first, HTTPSyntax.isTchar(first) else { return false }
        return trimmed.allSatisfy(HTTPSyntax.isFieldValueByte)
    }

    /// trailer-section = *( field-line CRLF ), then CRLF; fields are validated then dropped
    /// (RFC 9112 section 7.1.2 lets a recipient discard them).
    private mutating func stepTrailer(used: Int) -> ParseResult? {
        switch nextLine(limit: maxHeaderBytes - used) {
        case .incomplete: return .needMore
        case .tooLong: return .reject(status: 431, reason: "trailer section exceeds \(maxHeaderBytes) bytes")
        case .malformed(let why): return .reject(status: 400, reason: why)
        case .line(let range):
            if range.isEmpty { return completeRequest() }
            var ignored = HTTPHeaders()
            if let reject = parseFieldLine(buffer[range], into: &ignored) { return reject }
            state = .body(.trailers(used: used + range.count + 2))
            return nil
        }
    }
}

extension HTTPParser.BodyState {
    var isCR: Bool {
        if case .chunkDataCR = self { return true }
        return false
    }
}
