import Foundation
import HTTP

// GET /: a chat page for people, compiled into the binary (no CDN, works offline). One
// HTML document with its style and script inline, so a single request shows it. It talks
// to the public API only (POST /generate with "stream": true, GET /health), as any other
// client would; see WebPage+Script.swift for its behaviour. When API keys arrive, this page
// stays public (it holds no data; the key is typed into it) while the API routes are guarded.
enum WebPage {
    static let html: [UInt8] = Array(document.utf8)

    static func serve(_ request: HTTPRequest, _ responder: HTTPResponder) {
        responder.respond(status: 200, headers: [
            ("Content-Type", "text/html; charset=utf-8"),
            // The page loads nothing from elsewhere; say so, so an injected script could not either.
            ("Content-Security-Policy",
             "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Cache-Control", "no-cache"),
        ], body: html)
    }

    static var document: String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>kvserve chat</title>
        <link rel="icon" href="data:,">
        <style>\(style)</style>
        </head>
        <body>
        \(body)
        <script>\(script)</script>
        </body>
        </html>
        """
    }
}
