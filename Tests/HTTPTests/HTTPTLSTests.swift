import COpenSSL
import Foundation
import XCTest
@testable import HTTP
import TestSupport

/// TLS round trip: a self-signed certificate made with the `openssl` CLI, and a client
/// written with OpenSSL calls over a blocking socket.
final class HTTPTLSTests: XCTestCase {
    private func makeCertificate() throws -> TLSConfig {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kvserve-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("cert.pem").path
        let key = dir.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // EC P-256 keeps key generation fast on a loaded machine.
        process.arguments = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                             "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ClientError(description: "openssl req failed; is the openssl CLI installed?")
        }
        return TLSConfig(certificatePath: cert, keyPath: key)
    }

    func testTLSRoundTripWithKeepAliveAndStreaming() throws {
        let tls = try makeCertificate()
        let (server, _) = try startServer(self, config: HTTPServerConfig(tls: tls)) { request, responder in
            guard request.path == "/stream" else { return echoHandler(request, responder) }
            responder.startStream()
            for i in 0..<3 { responder.write("line \(i)\n") }
            responder.finish()
        }
        let client = try TLSClient(port: server.port)
        XCTAssertTrue(client.protocolVersion == "TLSv1.3" || client.protocolVersion == "TLSv1.2", client.protocolVersion)
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        XCTAssertEqual(try client.readUntil(suffix: "hello").hasPrefix("HTTP/1.1 200 OK\r\n"), true)
        try client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        let streamed = try client.readUntil(suffix: "0\r\n\r\n")
        XCTAssertTrue(streamed.contains("7\r\nline 2\n\r\n"), streamed)
    }

    func testTLS11ClientIsRefused() throws {
        let tls = try makeCertificate()
        XCTAssertEqual(try TLSContext(config: tls).minimumProtocolVersion, Int(TLS1_2_VERSION))
        // OpenSSL's default security level also refuses 1.1; the floor above is our own setting.
        let (server, _) = try startServer(self, config: HTTPServerConfig(tls: tls), handler: echoHandler)
        XCTAssertThrowsError(try TLSClient(port: server.port, maxVersion: TLS1_1_VERSION))
    }

    func testMismatchedKeyIsReported() throws {
        let a = try makeCertificate()
        let b = try makeCertificate()
        let server = HTTPServer(config: HTTPServerConfig(port: 0, tls: TLSConfig(certificatePath: a.certificatePath,
                                                                               keyPath: b.keyPath))) { _, _ in }
        XCTAssertThrowsError(try server.start()) { error in
            XCTAssertTrue("\(error)".contains(b.keyPath), "\(error)")
        }
    }
}

/// Minimal blocking TLS client (no certificate verification: the certificate is self-signed).
final class TLSClient {
    private let raw: RawClient
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    init(port: Int, maxVersion: Int32 = 0) throws {
        raw = try RawClient(port: port)
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw ClientError(description: "SSL_CTX_new") }
        self.context = context
        if maxVersion != 0 {
            // SSL_CTX_set_max_proto_version is a macro; 124 = SSL_CTRL_SET_MAX_PROTO_VERSION.
            _ = SSL_CTX_ctrl(context, SSL_CTRL_SET_MAX_PROTO_VERSION, Int(maxVersion), nil)
            _ = SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(TLS1_VERSION), nil)
            SSL_CTX_set_security_level(context, 0)  // let the client even offer TLS 1.1
        }
        guard let ssl = SSL_new(context) else { throw ClientError(description: "SSL_new") }
        self.ssl = ssl
        SSL_set_fd(ssl, raw.fd)
        guard SSL_connect(ssl) == 1 else { throw ClientError(description: "TLS handshake refused") }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard SSL_write(ssl, bytes, Int32(bytes.count)) == Int32(bytes.count) else {
            throw ClientError(description: "SSL_write")
        }
    }

    func readUntil(suffix: String) throws -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !String(decoding: received, as: UTF8.self).hasSuffix(suffix) {
            let n = SSL_read(ssl, &buffer, Int32(buffer.count))
            guard n > 0 else { throw ClientError(description: "SSL_read ended: \(String(decoding: received, as: UTF8.self))") }
            received += buffer[0..<Int(n)]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
