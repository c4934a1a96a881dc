import Foundation
import XCTest
@testable import HTTP
import TestSupport

/// Connection behaviour over real sockets: keep-alive, pipelining, bodies, IPv6, logging.
final class HTTPServerTests: XCTestCase {
    func testHundredRequestsOnOneKeepAliveConnection() throws {
        let (server, logs) = try startServer(self, handler: echoHandler)
        let client = try RawClient(port: server.port)
        for i in 0..<100 {
            try client.send("GET /n/\(i) HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.text, "GET /n/\(i) ")
            XCTAssertNil(response.header("Connection"))
        }
        XCTAssertEqual(server.activeConnectionCount, 1)
        XCTAssertTrue(eventually { logs.entries.count == 100 })
    }

    func testPipelinedRequestsAnsweredInOrder() throws {
        // The first request answers last in wall time; responses must still come in order.
        let (server, _) = try startServer(self) { request, responder in
            let delay = request.path == "/1" ? 0.3 : 0.0
            DispatchQueue.global().asyncAfter(deadline: .now() + delay) { echoHandler(request, responder) }
        }
        let client = try RawClient(port: server.port)
        try client.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            + "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().text, "GET /1 ")
        XCTAssertEqual(try client.readResponse().text, "POST /2 abc")
        XCTAssertEqual(try client.readResponse().text, "GET /3 ")
    }

    func testChunkedRequestBody() throws {
        let (server, _) = try startServer(self, handler: echoHandler)
        let client = try RawClient(port: server.port)
        try client.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n")
        usleep(50_000)  // the body arrives in two TCP segments
        try client.send("5;ext=1\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "POST /c Wikipedia")
    }

    func testExpectContinueGets100ThenResponse() throws {
        let (server, _) = try startServer(self, handler: echoHandler)
        let client = try RawClient(port: server.port)
        try client.send("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        XCTAssertEqual(try client.readLine(), "HTTP/1.1 100 Continue")
        XCTAssertEqual(try client.readLine(), "")
        try client.send("ok")
        XCTAssertEqual(try client.readResponse().text, "POST /e ok")
    }

    func testConnectionCloseAndHTTP10() throws {
        let (server, _) = try startServer(self, handler: echoHandler)
        let a = try RawClient(port: server.port)
        try a.send("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(try a.readResponse().header("Connection"), "close")
        XCTAssertTrue(a.waitForClose(within: 5))
        let b = try RawClient(port: server.port)
        try b.send("GET /b HTTP/1.0\r\n\r\n")
        XCTAssertEqual(try b.readResponse().text, "GET /b ")
        XCTAssertTrue(b.waitForClose(within: 5))
        let c = try RawClient(port: server.port)
        try c.send("GET /c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(try c.readResponse().header("Connection"), "keep-alive")
        try c.send("GET /d HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(try c.readResponse().text, "GET /d ")
    }

    func testHeadResponseHasNoBody() throws {
        let (server, _) = try startServer(self, handler: echoHandler)
        let client = try RawClient(port: server.port)
        try client.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /g HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.readResponse(method: "HEAD")
        XCTAssertEqual(head.header("Content-Length"), "8")  // length of "HEAD /h "
        XCTAssertEqual(try client.readResponse().text, "GET /g ")
    }

    func testDualStackListenerAcceptsIPv4AndIPv6() throws {
        let (server, logs) = try startServer(self, config: HTTPServerConfig(host: "::"), handler: echoHandler)
        for host in ["127.0.0.1", "::1"] {
            let client = try RawClient(port: server.port, host: host)
            try client.send("GET /v HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 200)
        }
        XCTAssertTrue(eventually { logs.entries.count == 2 })
        XCTAssertTrue(logs.entries[0].remoteAddress.hasPrefix("127.0.0.1:"))
        XCTAssertTrue(logs.entries[1].remoteAddress.hasPrefix("[::1]:"))
    }

    func testLogEntryCarriesHandlerFields() throws {
        let (server, logs) = try startServer(self) { _, responder in
            responder.logFields["tokens"] = "42"
            responder.respond(status: 201, body: Array("abc".utf8))
        }
        let client = try RawClient(port: server.port)
        try client.send("POST /gen HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 201)
        XCTAssertTrue(eventually { logs.entries.count == 1 })
        let entry = try XCTUnwrap(logs.entries.first)
        XCTAssertEqual(entry.method, "POST")
        XCTAssertEqual(entry.path, "/gen")
        XCTAssertEqual(entry.status, 201)
        XCTAssertEqual(entry.bytes, 3)
        XCTAssertEqual(entry.fields["tokens"], "42")
        XCTAssertGreaterThanOrEqual(entry.duration, 0)
    }

    func testBadTLSFilesNameTheFile() {
        let config = HTTPServerConfig(port: 0, tls: TLSConfig(certificatePath: "/nonexistent/cert.pem",
                                                             keyPath: "/nonexistent/key.pem"))
        let server = HTTPServer(config: config) { _, _ in }
        XCTAssertThrowsError(try server.start()) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/cert.pem"), "\(error)")
        }
    }

    func testInvalidConfigNamesTheSetting() {
        let server = HTTPServer(config: HTTPServerConfig(port: 0, maxConnections: 0)) { _, _ in }
        XCTAssertThrowsError(try server.start()) { error in
            XCTAssertEqual(error as? HTTPServerError,
                           .invalidConfig(setting: "maxConnections", message: "must be positive, got 0"))
        }
    }
}
