import Foundation
import XCTest
@testable import HTTP
import TestSupport

/// Every limit and framing error over a real socket: status, JSON envelope, then close.
final class HTTPLimitTests: XCTestCase {
    /// Sends `raw`, expects `status` with the JSON error envelope and a closed connection.
    private func assertError(_ raw: String, status: Int, config: HTTPServerConfig = HTTPServerConfig(),
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let (server, _) = try startServer(self, config: config, handler: echoHandler)
        let client = try RawClient(port: server.port)
        try client.send(raw)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, status, response.text, file: file, line: line)
        XCTAssertEqual(response.header("Content-Type"), "application/json", file: file, line: line)
        XCTAssertEqual(response.header("Connection"), "close", file: file, line: line)
        XCTAssertEqual(response.errorType, HTTPErrorBody.type(forStatus: status), file: file, line: line)
        XCTAssertTrue(client.waitForClose(within: 5), "connection left open", file: file, line: line)
    }

    func testHeaderTooLargeGets431() throws {
        let config = HTTPServerConfig(maxHeaderBytes: 1024)
        try assertError("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 2000))\r\n\r\n",
                        status: 431, config: config)
    }

    func testContentLengthOverLimitGets413BeforeBody() throws {
        // No body bytes are sent: the decision comes from Content-Length alone.
        try assertError("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n", status: 413,
                        config: HTTPServerConfig(maxBodyBytes: 1000))
    }

    func testChunkedOverLimitGets413() throws {
        let chunk = String(repeating: "b", count: 600)
        try assertError("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n",
                        status: 413, config: HTTPServerConfig(maxBodyBytes: 1000))
    }

    func testBadRequestLineGets400() throws {
        try assertError("GET /  HTTP/1.1\r\nHost: x\r\n\r\n", status: 400)
    }

    func testBadChunkSizeGets400() throws {
        try assertError("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", status: 400)
    }

    func testContentLengthPlusTransferEncodingGets400() throws {
        try assertError("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "3\r\nabc\r\n0\r\n\r\n", status: 400)
    }

    func testDuplicateContentLengthGets400() throws {
        try assertError("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
                        status: 400)
    }

    func testUnknownTransferCodingGets501() throws {
        try assertError("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", status: 501)
    }

    func testHTTP2VersionGets505() throws {
        try assertError("GET / HTTP/2.0\r\nHost: x\r\n\r\n", status: 505)
    }

    func testHeaderTimeoutGets408() throws {
        // Tight timeouts only here, where the timeout is the subject of the test.
        let config = HTTPServerConfig(headerTimeout: 0.3)
        try assertError("GET / HTTP/1.1\r\nHost: x\r\n", status: 408, config: config)
    }

    func testBodyTimeoutGets408() throws {
        let config = HTTPServerConfig(headerTimeout: 30, bodyTimeout: 0.3)
        try assertError("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", status: 408, config: config)
    }

    func testIdleKeepAliveConnectionClosesSilently() throws {
        let (server, _) = try startServer(self, config: HTTPServerConfig(idleTimeout: 0.3), handler: echoHandler)
        let client = try RawClient(port: server.port)
        try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
        let start = Date()
        XCTAssertTrue(client.waitForClose(within: 10), "idle connection was not closed, or got bytes")
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 0.2)  // not closed before the idle timeout
        XCTAssertTrue(eventually { server.activeConnectionCount == 0 })
    }

    func testOverMaxConnectionsGets503() throws {
        let (server, _) = try startServer(self, config: HTTPServerConfig(maxConnections: 2), handler: echoHandler)
        let first = try RawClient(port: server.port)
        let second = try RawClient(port: server.port)
        XCTAssertTrue(eventually { server.activeConnectionCount == 2 })
        let third = try RawClient(port: server.port)
        let response = try third.readResponse()
        XCTAssertEqual(response.status, 503)
        XCTAssertEqual(response.errorType, "overloaded_error")
        XCTAssertTrue(third.waitForClose(within: 5))
        for client in [first, second] {
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 200)
        }
        first.close()
        XCTAssertTrue(eventually { server.activeConnectionCount == 1 })
        let fourth = try RawClient(port: server.port)
        try fourth.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try fourth.readResponse().status, 200)
    }

    func testRouterGives404And405WithAllow() throws {
        let router = Router()
        router.add(method: "GET", path: "/sessions/{id}") { request, responder in
            responder.respond(status: 200, body: Array((request.pathParameters["id"] ?? "?").utf8))
        }
        router.add(method: "DELETE", path: "/sessions/{id}") { _, responder in responder.respond(status: 204) }
        router.add(method: "POST", path: "/generate") { _, responder in responder.respond(status: 200) }
        let (server, _) = try startServer(self, handler: router.handle)
        let client = try RawClient(port: server.port)
        try client.send("GET /sessions/abc HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().text, "abc")
        try client.send("DELETE /sessions/abc HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 204)
        try client.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        let missing = try client.readResponse()
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.errorType, "not_found_error")
        try client.send("PUT /sessions/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        let wrong = try client.readResponse()
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.header("Allow"), "GET, DELETE, HEAD")
        XCTAssertEqual(wrong.errorType, "method_not_allowed_error")
        try client.send("GET /generate HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().header("Allow"), "POST")
    }
}
