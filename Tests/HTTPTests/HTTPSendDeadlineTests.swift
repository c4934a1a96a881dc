import Foundation
import XCTest
@testable import HTTP
import TestSupport

/// Issue 10, item 1: a client that stops reading holds its slot only until the send deadline.
final class HTTPSendDeadlineTests: XCTestCase {
    private let big = [UInt8](repeating: UInt8(ascii: "y"), count: 8 << 20)

    func testSilentClientOfACompleteResponseIsClosedAtTheSendDeadline() throws {
        var config = HTTPServerConfig(idleTimeout: 1)
        config.maxConnections = 1
        let body = big
        let (server, logs) = try startServer(self, config: config) { _, responder in
            responder.respond(status: 200, body: body)
        }
        let silent = try RawClient(port: server.port, receiveBuffer: 4096)
        try silent.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        let start = Date()
        XCTAssertTrue(eventually(1) { server.activeConnectionCount == 1 })
        XCTAssertTrue(eventually(5) { server.activeConnectionCount == 0 }, "slot still held")
        let held = Date().timeIntervalSince(start)
        // Released one idle timeout after the last byte the peer took, not before.
        XCTAssertGreaterThan(held, 0.9)
        XCTAssertLessThan(held, 3)
        XCTAssertTrue(eventually(2) { logs.entries.contains { $0.fields["closed"]?.hasPrefix("send_timeout") == true } })
        // The slot is free: a new client is served, not refused with 503.
        let next = try RawClient(port: server.port)
        try next.send("GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(try next.readHead().status, 200)
    }

    func testSilentClientOfAStreamIsCutAndItsProducerTold() throws {
        let gone = DispatchSemaphore(value: 0)
        let stop = LockedFlag()
        let config = HTTPServerConfig(idleTimeout: 1)
        let (server, logs) = try startServer(self, config: config) { _, responder in
            responder.onClientGone { gone.signal() }
            DispatchQueue.global().async {
                let piece = [UInt8](repeating: UInt8(ascii: "z"), count: 4096)
                while !stop.isSet && responder.write(piece) { usleep(2_000) }
            }
        }
        defer { stop.set() }
        let silent = try RawClient(port: server.port, receiveBuffer: 4096)
        try silent.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(gone.wait(timeout: .now() + 5), .success, "the stream's producer was not told")
        XCTAssertTrue(eventually(2) { server.activeConnectionCount == 0 })
        let entry = try XCTUnwrap(logs.entries.first { $0.path == "/stream" })
        XCTAssertNotNil(entry.fields["closed"], "closed by the server, reason expected in the log")
        XCTAssertFalse(entry.clientGone)
    }

    func testReadingClientIsNotCutWhileItKeepsUp() throws {
        let config = HTTPServerConfig(idleTimeout: 1)
        let body = big
        let (server, _) = try startServer(self, config: config) { _, responder in
            responder.respond(status: 200, body: body)
        }
        let client = try RawClient(port: server.port, receiveBuffer: 4096)
        try client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        // 8 MiB through a 4 KiB window takes a while; progress keeps moving the deadline.
        let response = try client.readResponse()
        XCTAssertEqual(response.body.count, big.count)
    }

    func testConnectionThatSendsNothingIsClosedAtTheHeaderTimeout() throws {
        let config = HTTPServerConfig(headerTimeout: 1)
        let (server, _) = try startServer(self, config: config) { request, responder in echoHandler(request, responder) }
        let mute = try RawClient(port: server.port)
        XCTAssertTrue(mute.waitForClose(within: 4), "a connection that never sent a byte kept its slot")
        XCTAssertTrue(eventually(2) { server.activeConnectionCount == 0 })
    }

    func testClientStillSendingAnOversizedBodyReadsIts413() throws {
        // The body is refused from its Content-Length; the client sends all 16 MiB anyway and
        // only then reads. Without a lingering close the server's close resets the connection
        // and the client never sees the 413.
        let (server, _) = try startServer(self) { request, responder in echoHandler(request, responder) }
        let client = try RawClient(port: server.port)
        let size = 16 << 20
        try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n")
        try client.send([UInt8](repeating: 0x61, count: size))
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.errorType, HTTPErrorBody.type(forStatus: 413))
    }
}

final class LockedFlag: @unchecked Sendable {  // @unchecked: `value` is guarded by `lock`
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
