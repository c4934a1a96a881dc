import Foundation
import XCTest
@testable import HTTP

/// Chunked streaming, client disconnects, back-pressure and graceful shutdown.
final class HTTPStreamingTests: XCTestCase {
    func testFirstChunkArrivesBeforeLastIsWritten() throws {
        let firstRead = DispatchSemaphore(value: 0)
        let (server, _) = try startServer(self) { request, responder in
            guard request.path == "/generate" else { return echoHandler(request, responder) }
            DispatchQueue.global().async {
                responder.startStream(status: 200, headers: [("Content-Type", "application/x-ndjson")])
                responder.write("{\"token\": 1}\n")
                // Only after the client has seen the first chunk do we write the last one.
                if firstRead.wait(timeout: .now() + 10) == .timedOut { responder.write("TIMED OUT\n") }
                responder.write("{\"token\": 2}\n")
                responder.finish()
            }
        }
        let client = try RawClient(port: server.port)
        try client.send("POST /generate HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        let head = try client.readHead()
        XCTAssertEqual(head.header("Transfer-Encoding"), "chunked")
        XCTAssertNil(head.header("Content-Length"))
        XCTAssertEqual(try client.readChunk().map { String(decoding: $0, as: UTF8.self) }, "{\"token\": 1}\n")
        firstRead.signal()
        XCTAssertEqual(try client.readChunk().map { String(decoding: $0, as: UTF8.self) }, "{\"token\": 2}\n")
        XCTAssertNil(try client.readChunk())
        try client.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n")  // still keep-alive after a stream
        let next = try client.readResponse()
        XCTAssertEqual(next.status, 200)
    }

    func testClientDisconnectMidStreamFiresOnClientGone() throws {
        let gone = DispatchSemaphore(value: 0)
        let writeFailed = DispatchSemaphore(value: 0)
        let (server, logs) = try startServer(self) { _, responder in
            responder.onClientGone { gone.signal() }
            responder.startStream()
            DispatchQueue.global().async {
                // A generation loop: one token every 10 ms until the client is gone.
                for _ in 0..<1000 {
                    if !responder.write("token\n") {
                        writeFailed.signal()
                        return
                    }
                    usleep(10_000)
                }
            }
        }
        let client = try RawClient(port: server.port)
        try client.send("POST /generate HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try client.readHead()
        XCTAssertNotNil(try client.readChunk())
        client.reset()
        XCTAssertEqual(gone.wait(timeout: .now() + 10), .success, "onClientGone not called")
        XCTAssertEqual(writeFailed.wait(timeout: .now() + 10), .success, "write kept returning true")
        XCTAssertTrue(eventually { server.activeConnectionCount == 0 })
        XCTAssertTrue(eventually { logs.entries.first?.clientGone == true })
    }

    func testOrderlyCloseMidStreamFiresOnClientGone() throws {
        let gone = DispatchSemaphore(value: 0)
        let (server, _) = try startServer(self) { _, responder in
            responder.onClientGone { gone.signal() }
            responder.startStream()
            responder.write("first\n")  // then silence, as during a long prefill
        }
        let client = try RawClient(port: server.port)
        try client.send("POST /generate HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try client.readHead()
        XCTAssertNotNil(try client.readChunk())
        client.close()  // FIN, not RST: noticed by the read side, not by a failed write
        XCTAssertEqual(gone.wait(timeout: .now() + 10), .success, "onClientGone not called")
        // The handler never finishes, so the slot frees after the 2 s grace for a closed peer.
        XCTAssertTrue(eventually { server.activeConnectionCount == 0 })
    }

    func testHalfClosedClientStillGetsItsResponse() throws {
        let (server, _) = try startServer(self) { request, responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { echoHandler(request, responder) }
        }
        let client = try RawClient(port: server.port)
        try client.send("GET /half HTTP/1.1\r\nHost: x\r\n\r\n")
        client.halfClose()
        XCTAssertEqual(try client.readResponse().text, "GET /half ")
        XCTAssertTrue(client.waitForClose(within: 5))
    }

    func testHTTP10StreamIsCloseDelimited() throws {
        let (server, _) = try startServer(self) { _, responder in
            responder.startStream()
            responder.write("a")
            responder.write("b")
            responder.finish()
        }
        let client = try RawClient(port: server.port)
        try client.send("GET /s HTTP/1.0\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertNil(response.header("Transfer-Encoding"))
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertEqual(response.text, "ab")
    }

    func testBackPressureBoundsTheOutputBuffer() throws {
        // 64 KiB bound; the producer writes 8 MiB while the client reads nothing for a while.
        let config = HTTPServerConfig(maxOutputBufferBytes: 64 * 1024)
        let produced = LogBox()
        let done = DispatchSemaphore(value: 0)
        let (server, _) = try startServer(self, config: config) { _, responder in
            DispatchQueue.global().async {
                let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 16 * 1024)
                for i in 0..<512 {
                    responder.write(piece)
                    produced.add(HTTPLogEntry(method: "", path: "\(i)", status: 0, duration: 0, bytes: 0,
                                              remoteAddress: "", fields: [:], clientGone: false))
                }
                responder.finish()
                done.signal()
            }
        }
        let client = try RawClient(port: server.port)
        try client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(300_000)
        // Kernel socket buffers hold a few MiB at most; without back-pressure all 512 would be done.
        XCTAssertLessThan(produced.count, 512)
        let response = try client.readResponse()
        XCTAssertEqual(response.body.count, 512 * 16 * 1024)
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
    }

    func testShutdownLetsStreamFinishAndRefusesNewConnections() throws {
        let release = DispatchSemaphore(value: 0)
        var config = HTTPServerConfig()
        config.port = 0
        let server = HTTPServer(config: config) { request, responder in
            guard request.path == "/stream" else { return echoHandler(request, responder) }
            responder.startStream()
            responder.write("first\n")
            DispatchQueue.global().async {
                _ = release.wait(timeout: .now() + 10)
                responder.write("last\n")
                responder.finish()
            }
        }
        try server.start()
        let port = server.port
        let idle = try RawClient(port: port)
        try idle.send("GET /idle HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try idle.readResponse().status, 200)
        let streaming = try RawClient(port: port)
        try streaming.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try streaming.readHead()
        XCTAssertEqual(try streaming.readChunk(), Array("first\n".utf8))

        let finished = DispatchSemaphore(value: 0)
        server.shutdown(deadline: 10) { finished.signal() }
        XCTAssertTrue(idle.waitForClose(within: 5), "idle keep-alive connection not closed")
        XCTAssertThrowsError(try RawClient(port: port), "new connection accepted during shutdown")
        release.signal()
        XCTAssertEqual(try streaming.readChunk(), Array("last\n".utf8))
        XCTAssertNil(try streaming.readChunk())
        XCTAssertTrue(streaming.waitForClose(within: 5), "drained connection left open")
        streaming.close()
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(server.activeConnectionCount, 0)
    }

    func testShutdownDeadlineClosesStuckStreams() throws {
        let gone = DispatchSemaphore(value: 0)
        var config = HTTPServerConfig()
        config.port = 0
        let server = HTTPServer(config: config) { _, responder in
            responder.onClientGone { gone.signal() }
            responder.startStream()
            responder.write("never finishes\n")
        }
        try server.start()
        let client = try RawClient(port: server.port)
        try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try client.readHead()
        let finished = DispatchSemaphore(value: 0)
        server.shutdown(deadline: 0.2) { finished.signal() }
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(gone.wait(timeout: .now() + 10), .success, "the abandoned stream was not told")
    }

    func testThirtyTwoConcurrentStreamsAllComplete() throws {
        // Handlers stream from a shared worker pool, as the engine does; no stream may stall another.
        let (server, _) = try startServer(self) { request, responder in
            responder.startStream()
            DispatchQueue.global().async {
                for i in 0..<50 { responder.write("\(request.path) \(i)\n") }
                responder.finish()
            }
        }
        let failures = LogBox()
        DispatchQueue.concurrentPerform(iterations: 32) { n in
            do {
                let client = try RawClient(port: server.port)
                try client.send("GET /c\(n) HTTP/1.1\r\nHost: x\r\n\r\n")
                let text = try client.readResponse().text
                if text.split(separator: "\n").count != 50 || !text.hasPrefix("/c\(n) 0\n") { throw ClientError(description: text) }
            } catch {
                failures.add(HTTPLogEntry(method: "", path: "\(error)", status: 0, duration: 0, bytes: 0,
                                          remoteAddress: "", fields: [:], clientGone: false))
            }
        }
        XCTAssertEqual(failures.entries.map(\.path), [])
    }
}
