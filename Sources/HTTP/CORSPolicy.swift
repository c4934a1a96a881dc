import Foundation

/// Cross-origin resource sharing (Fetch Standard, section 3.2 "CORS protocol"): which web
/// origins may call the API from a browser. Only allowed origins ever see an
/// `Access-Control-*` header; for any other origin the server answers as if CORS did not
/// exist, so the browser withholds the response from that page.
public struct CORSPolicy: Sendable, Equatable {
    /// Lowercased origins ("https://app.example:8443"), or nil for "*" (any origin).
    let origins: Set<String>?
    public static let allowedMethods = "GET, HEAD, POST, DELETE, OPTIONS"
    /// Headers a page may send when the preflight does not list its own.
    public static let defaultAllowedHeaders = "Authorization, Content-Type, Accept"
    /// Response headers a page's script may read besides the CORS-safelisted ones.
    public static let exposedHeaders = "X-Request-Id"
    /// Seconds a browser may cache a preflight answer.
    public static let maxAge = 600

    /// nil when `origins` is empty (CORS off). "*" anywhere allows every origin. Origins are
    /// compared as browsers serialize them: scheme://host[:port], lowercase, no trailing "/".
    public init?(origins: [String]) {
        let cleaned = origins.map { Self.normalize($0) }.filter { !$0.isEmpty }
        guard !cleaned.isEmpty else { return nil }
        self.origins = cleaned.contains("*") ? nil : Set(cleaned)
    }

    /// "null" (sandboxed frames, file: pages) passes only "*" or an explicit "null" entry.
    public func allows(origin: String) -> Bool {
        guard let origins else { return true }
        return origins.contains(Self.normalize(origin))
    }

    /// A preflight is an OPTIONS request carrying Origin and Access-Control-Request-Method.
    public static func isPreflight(_ request: HTTPRequest) -> Bool {
        request.method == "OPTIONS" && request.headers["Origin"] != nil
            && request.headers["Access-Control-Request-Method"] != nil
    }

    /// The 204 answer's own headers for a preflight from an allowed origin (the connection adds
    /// `responseHeaders` to it, as to every response); nil otherwise: the request then goes on
    /// to the router like any other, without CORS headers.
    public func preflightHeaders(for request: HTTPRequest) -> [(String, String)]? {
        guard Self.isPreflight(request), let origin = request.headers["Origin"], allows(origin: origin) else {
            return nil
        }
        // Echo the requested headers: the API ignores headers it does not know, and
        // browser SDKs send their own (for example X-Stainless-* from OpenAI's client).
        let requested = request.headers.tokens(for: "Access-Control-Request-Headers").filter { HTTPSyntax.isToken($0.utf8) }
        let headers = requested.isEmpty ? Self.defaultAllowedHeaders : requested.joined(separator: ", ")
        return [("Access-Control-Allow-Methods", Self.allowedMethods),
                ("Access-Control-Allow-Headers", headers),
                ("Access-Control-Max-Age", String(Self.maxAge))]
    }

    /// Headers added to every response to a request from an allowed origin; empty otherwise.
    /// The origin is echoed rather than "*", so the answer is the same with or without
    /// credentials; `Vary: Origin` keeps caches from serving it to another origin.
    public func responseHeaders(for request: HTTPRequest) -> [(String, String)] {
        guard let origin = request.headers["Origin"], allows(origin: origin) else { return [] }
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin"),
                ("Access-Control-Expose-Headers", Self.exposedHeaders)]
    }

    static func normalize(_ origin: String) -> String {
        var text = origin.trimmingOWS().lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
