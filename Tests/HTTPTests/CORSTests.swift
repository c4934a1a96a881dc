import Foundation
import XCTest
@testable import HTTP
import TestSupport

// CORS as a browser meets it (Fetch Standard 3.2): allowed origins get the headers on every
// response and a 204 preflight; anything else gets no Access-Control-* header at all.
final class CORSTests: XCTestCase {
    private let allowed = "https://app.example:8443"

    private func request(_ method: String, _ path: String, _ headers: [(String, String)]) -> HTTPRequest {
        HTTPRequest(method: method, target: path, headers: HTTPHeaders(headers))
    }

    func testPolicyFromSettings() {
        XCTAssertNil(CORSPolicy(origins: []), "an empty list turns CORS off")
        XCTAssertNil(CORSPolicy(origins: [" "]))
        let policy = CORSPolicy(origins: ["https://APP.example:8443/"])!
        XCTAssertTrue(policy.allows(origin: allowed), "compared as browsers serialize origins")
        XCTAssertFalse(policy.allows(origin: "https://app.example"), "another port is another origin")
        XCTAssertFalse(policy.allows(origin: "http://app.example:8443"), "another scheme is another origin")
        XCTAssertFalse(policy.allows(origin: "null"))
        let any = CORSPolicy(origins: ["https://x.example", "*"])!
        XCTAssertTrue(any.allows(origin: "https://anything.example"))
        XCTAssertTrue(any.allows(origin: "null"))
    }

    func testPreflightHeadersOnlyForAnAllowedOrigin() throws {
        let policy = try XCTUnwrap(CORSPolicy(origins: [allowed]))
        let preflight = request("OPTIONS", "/generate", [("Origin", allowed), ("Access-Control-Request-Method", "POST"),
                                                         ("Access-Control-Request-Headers", "Content-Type, Authorization")])
        let headers = try XCTUnwrap(policy.preflightHeaders(for: preflight))
        let map = Dictionary(headers, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(map["Access-Control-Allow-Methods"], CORSPolicy.allowedMethods)
        XCTAssertEqual(map["Access-Control-Allow-Headers"], "content-type, authorization")
        XCTAssertEqual(map["Access-Control-Max-Age"], "600")

        var other = preflight
        other.headers.remove(name: "Origin")
        other.headers.add(name: "Origin", value: "https://evil.example")
        XCTAssertNil(policy.preflightHeaders(for: other))
        XCTAssertNil(policy.preflightHeaders(for: request("OPTIONS", "/generate", [("Origin", allowed)])),
                     "without Access-Control-Request-Method it is not a preflight")
        let noList = request("OPTIONS", "/generate", [("Origin", allowed), ("Access-Control-Request-Method", "POST")])
        XCTAssertEqual(Dictionary(policy.preflightHeaders(for: noList)!, uniquingKeysWith: { a, _ in a })["Access-Control-Allow-Headers"],
                       CORSPolicy.defaultAllowedHeaders)
    }

    // Over a real socket: the connection adds the headers to whatever the handler answers.
    func testAllowedOriginGetsHeadersOnEveryResponse() throws {
        var config = HTTPServerConfig()
        config.cors = CORSPolicy(origins: [allowed])
        let (server, _) = try startServer(self, config: config, handler: echoHandler)
        let client = try RawClient(port: server.port)
        try client.send("GET /anything HTTP/1.1\r\nHost: x\r\nOrigin: \(allowed)\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Access-Control-Allow-Origin"), allowed)
        XCTAssertEqual(response.header("Vary"), "Origin")
        XCTAssertEqual(response.header("Access-Control-Expose-Headers"), "X-Request-Id")
        XCTAssertEqual(response.text, "GET /anything ")
    }

    func testDisallowedOriginAndNoOriginGetNoCORSHeaders() throws {
        var config = HTTPServerConfig()
        config.cors = CORSPolicy(origins: [allowed])
        let (server, _) = try startServer(self, config: config, handler: echoHandler)
        let client = try RawClient(port: server.port)
        for origin in ["Origin: https://evil.example\r\n", ""] {
            try client.send("GET /x HTTP/1.1\r\nHost: x\r\n\(origin)\r\n")
            let response = try client.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertFalse(response.headers.contains { $0.0.lowercased().hasPrefix("access-control-") }, "\(response.headers)")
        }
        // A preflight from a disallowed origin reaches the handler like any OPTIONS request.
        try client.send("OPTIONS /x HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.text, "OPTIONS /x ")
        XCTAssertNil(response.header("Access-Control-Allow-Origin"))
    }

    func testPreflightIsAnswered204WithoutReachingTheHandler() throws {
        var config = HTTPServerConfig()
        config.cors = CORSPolicy(origins: [allowed])
        let (server, _) = try startServer(self, config: config) { _, responder in
            responder.respondError(status: 500, message: "the handler must not see a preflight")
        }
        let client = try RawClient(port: server.port)
        try client.send("OPTIONS /generate HTTP/1.1\r\nHost: x\r\nOrigin: \(allowed)\r\n"
            + "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization\r\n\r\n")
        let response = try client.readResponse(method: "OPTIONS")
        XCTAssertEqual(response.status, 204)
        XCTAssertEqual(response.header("Access-Control-Allow-Origin"), allowed)
        XCTAssertEqual(response.header("Access-Control-Allow-Methods"), CORSPolicy.allowedMethods)
        XCTAssertEqual(response.header("Access-Control-Allow-Headers"), "authorization")
        XCTAssertEqual(response.header("Access-Control-Max-Age"), "600")
        XCTAssertEqual(response.header("Vary"), "Origin")
        XCTAssertTrue(response.body.isEmpty)
        XCTAssertEqual(response.headers.filter { $0.0 == "Access-Control-Allow-Origin" }.count, 1, "no duplicate")
    }

    func testWithoutAPolicyNothingChanges() throws {
        let (server, _) = try startServer(self, handler: echoHandler)
        let client = try RawClient(port: server.port)
        try client.send("OPTIONS /x HTTP/1.1\r\nHost: x\r\nOrigin: \(allowed)\r\nAccess-Control-Request-Method: POST\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.text, "OPTIONS /x ")
        XCTAssertNil(response.header("Access-Control-Allow-Origin"))
    }
}
