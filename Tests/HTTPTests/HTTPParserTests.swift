import XCTest
@testable import HTTP

/// Framing rules of RFC 9112, one literal request each.
final class HTTPParserTests: XCTestCase {
    private func parse(_ text: String, maxHeader: Int = 16 * 1024, maxBody: Int = 1024 * 1024)
        -> HTTPParser.ParseResult {
        var parser = HTTPParser(maxHeaderBytes: maxHeader, maxBodyBytes: maxBody)
        return parser.feed(Array(text.utf8))
    }

    private func request(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> HTTPRequest? {
        guard case .request(let request) = parse(text) else {
            XCTFail("expected a request, got \(parse(text))", file: file, line: line)
            return nil
        }
        return request
    }

    private func assertReject(_ text: String, _ status: Int, maxHeader: Int = 16 * 1024, maxBody: Int = 1024 * 1024,
                              file: StaticString = #filePath, line: UInt = #line) {
        guard case .reject(let got, _) = parse(text, maxHeader: maxHeader, maxBody: maxBody) else {
            return XCTFail("expected \(status), got \(parse(text))", file: file, line: line)
        }
        XCTAssertEqual(got, status, file: file, line: line)
    }

    func testSimpleGetWithQuery() throws {
        let r = try XCTUnwrap(request("GET /a/b?x=1&y=h%20i&z=a+b&x=2 HTTP/1.1\r\nHost: h\r\nX-Y:  v v \r\n\r\n"))
        XCTAssertEqual(r.method, "GET")
        XCTAssertEqual(r.path, "/a/b")
        XCTAssertEqual(r.query, ["x": "1", "y": "h i", "z": "a b"])
        XCTAssertEqual(r.version, "HTTP/1.1")
        XCTAssertEqual(r.headers["x-y"], "v v")
        XCTAssertEqual(r.headers["HOST"], "h")
        XCTAssertTrue(r.keepAlive)
    }

    func testContentLengthBody() throws {
        let r = try XCTUnwrap(request("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"))
        XCTAssertEqual(r.body, Array("hello".utf8))
    }

    func testChunkedBodyWithExtensionsAndTrailers() throws {
        let text = "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6 ; x\r\n world\r\n0\r\nTrailer-Field: t\r\n\r\n"
        let r = try XCTUnwrap(request(text))
        XCTAssertEqual(String(decoding: r.body, as: UTF8.self), "hello world")
    }

    func testPipelinedRequestsStayBuffered() throws {
        var parser = HTTPParser()
        let two = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok"
        guard case .request(let first) = parser.feed(Array(two.utf8)) else { return XCTFail("first") }
        XCTAssertEqual(first.path, "/1")
        guard case .request(let second) = parser.feed([]) else { return XCTFail("second") }
        XCTAssertEqual(second.path, "/2")
        XCTAssertEqual(second.body, Array("ok".utf8))
        XCTAssertEqual(parser.feed([]), .needMore)
        XCTAssertEqual(parser.phase, .idle)
    }

    func testLeadingEmptyLinesAreIgnored() {
        XCTAssertNotNil(request("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"))
    }

    func testBadRequestLines() {
        assertReject("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400)        // two spaces
        assertReject("GET /\r\nHost: h\r\n\r\n", 400)                   // HTTP/0.9 style
        assertReject("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400)         // not a token
        assertReject("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400)        // trailing space
        assertReject("GET a HTTP/1.1\r\nHost: h\r\n\r\n", 400)          // not origin-form
        assertReject("GET / HTTP/11\r\nHost: h\r\n\r\n", 400)           // malformed version
        assertReject("GET / http/1.1\r\nHost: h\r\n\r\n", 400)          // version is case-sensitive
        assertReject("GET /\u{7F} HTTP/1.1\r\nHost: h\r\n\r\n", 400)    // DEL in target
    }

    func testUnsupportedVersionsGet505() {
        assertReject("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505)
        assertReject("GET / HTTP/1.2\r\nHost: h\r\n\r\n", 505)
        assertReject("GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505)
    }

    func testTargetForms() throws {
        XCTAssertEqual(request("GET http://h:1/x?q=1 HTTP/1.1\r\nHost: h\r\n\r\n")?.path, "/x")
        XCTAssertEqual(request("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")?.path, "*")
        assertReject("GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400)
    }

    func testFieldSyntax() {
        assertReject("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400)                  // space before colon
        assertReject("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  folded\r\n\r\n", 400)  // obs-fold
        assertReject("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400)
        assertReject("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{01}b\r\n\r\n", 400)   // control char
        assertReject("GET / HTTP/1.1\r\nHost: h\r\n: empty-name\r\n\r\n", 400)
        assertReject("GET / HTTP/1.1\nHost: h\r\n\r\n", 400)                      // bare LF
        assertReject("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", 400)              // bare CR
    }

    func testHostRules() {
        assertReject("GET / HTTP/1.1\r\n\r\n", 400)
        assertReject("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)
        XCTAssertNotNil(request("GET / HTTP/1.0\r\n\r\n"))
    }

    func testContentLengthRules() {
        let head = "POST / HTTP/1.1\r\nHost: h\r\n"
        assertReject(head + "Content-Length: +5\r\n\r\nhello", 400)
        assertReject(head + "Content-Length: 5, 5\r\n\r\nhello", 400)
        assertReject(head + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400)
        assertReject(head + "Content-Length: 0x5\r\n\r\nhello", 400)
        assertReject(head + "Content-Length:\r\n\r\n", 400)
        assertReject(head + "Content-Length: 99999999999999999999999\r\n\r\n", 413)
        assertReject(head + "Content-Length: 11\r\n\r\n", 413, maxBody: 10)
        XCTAssertEqual(request(head + "Content-Length: 005\r\n\r\nhello")?.body.count, 5)
    }

    func testTransferEncodingRules() {
        let head = "POST / HTTP/1.1\r\nHost: h\r\n"
        assertReject(head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)
        assertReject(head + "Transfer-Encoding: gzip\r\n\r\n", 501)
        assertReject(head + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501)
        assertReject(head + "Transfer-Encoding: chunked, chunked\r\n\r\n", 400)
        assertReject("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)
        XCTAssertNotNil(request(head + "Transfer-Encoding: Chunked\r\n\r\n0\r\n\r\n"))
    }

    func testChunkFraming() {
        let head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        assertReject(head + "zz\r\nhello\r\n0\r\n\r\n", 400)                 // not hex
        assertReject(head + "\r\n", 400)                                    // empty size
        assertReject(head + "-5\r\nhello\r\n0\r\n\r\n", 400)
        assertReject(head + "5 x\r\nhello\r\n0\r\n\r\n", 400)               // junk after size
        assertReject(head + "5\r\nhelloXX0\r\n\r\n", 400)                  // data not followed by CRLF
        assertReject(head + "b\r\nhello world\r\n0\r\n\r\n", 413, maxBody: 10)
        assertReject(head + "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", 413, maxBody: 10)  // sum over limit
        assertReject(head + "fffffffffffffffffffffff\r\n", 413)            // would overflow Int
        assertReject(head + "0\r\nBad Trailer: x\r\n\r\n", 400)
    }

    func testHeaderLimitGives431() {
        let big = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 200) + "\r\n\r\n"
        assertReject(big, 431, maxHeader: 100)
        assertReject("GET /" + String(repeating: "a", count: 200), 431, maxHeader: 100)  // no line end yet
        // Exactly at the limit is allowed: the limit counts the head including its final CRLF.
        let exact = "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
        var parser = HTTPParser(maxHeaderBytes: exact.utf8.count)
        guard case .request = parser.feed(Array(exact.utf8)) else { return XCTFail("at limit") }
        assertReject(exact, 431, maxHeader: exact.utf8.count - 1)
    }

    func testExpectContinue() {
        var parser = HTTPParser()
        let head = "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
        XCTAssertEqual(parser.feed(Array(head.utf8)), .needMore)
        XCTAssertTrue(parser.wantsContinue)
        XCTAssertEqual(parser.phase, .body)
        parser.continueSent()
        guard case .request = parser.feed(Array("ok".utf8)) else { return XCTFail("body") }
        assertReject("GET / HTTP/1.1\r\nHost: h\r\nExpect: teapot\r\n\r\n", 417)
    }

    func testRejectionIsSticky() {
        var parser = HTTPParser()
        XCTAssertEqual(parser.feed(Array("BAD\r\n".utf8)), .reject(status: 400, reason: "malformed request line"))
        XCTAssertEqual(parser.feed(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8)),
                       .reject(status: 400, reason: "malformed request line"))
    }

    func testByteByByteEqualsWhole() {
        let text = "POST /x?a=b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        var parser = HTTPParser()
        var results: [HTTPParser.ParseResult] = []
        for byte in text.utf8 {
            let r = parser.feed([byte])
            if r != .needMore { results.append(r) }
        }
        XCTAssertEqual(results, [parse(text)])
    }

    func testConnectionPersistence() throws {
        XCTAssertFalse(try XCTUnwrap(request("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n")).keepAlive)
        XCTAssertFalse(try XCTUnwrap(request("GET / HTTP/1.0\r\n\r\n")).keepAlive)
        XCTAssertTrue(try XCTUnwrap(request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).keepAlive)
    }
}
