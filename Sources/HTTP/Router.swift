import Foundation

/// Method + path table. Paths are exact ("/health") or have `{name}` segments
/// ("/sessions/{id}") whose values land in `HTTPRequest.pathParameters`. An unknown path gets
/// 404; a known path with another method gets 405 with `Allow`. GET routes also answer HEAD.
// @unchecked: the route table is guarded by `lock`.
public final class Router: @unchecked Sendable {
    public typealias Handler = (HTTPRequest, HTTPResponder) -> Void

    private struct Route {
        let method: String
        let path: String
        let segments: [Substring]
        let handler: Handler
    }

    private let lock = NSLock()
    private var routes: [Route] = []

    public init() {}

    public func add(method: String, path: String, handler: @escaping Handler) {
        let route = Route(method: method.uppercased(), path: path, segments: Self.segments(of: path), handler: handler)
        lock.withLock { routes.append(route) }
    }

    public func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let table = lock.withLock { routes }
        let requestSegments = Self.segments(of: request.path)
        var allowed: [String] = []
        for route in table {
            guard let parameters = Self.match(route.segments, requestSegments) else { continue }
            if route.method == request.method || (request.method == "HEAD" && route.method == "GET") {
                var routed = request
                routed.pathParameters = parameters
                return route.handler(routed, responder)
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if allowed.isEmpty {
            return responder.respondError(status: 404, message: "no route for \(request.path)")
        }
        if allowed.contains("GET") && !allowed.contains("HEAD") { allowed.append("HEAD") }
        responder.respondError(status: 405, message: "\(request.method) is not allowed on \(request.path)",
                               headers: [("Allow", allowed.joined(separator: ", "))])
    }

    /// The registered pattern ("/sessions/{id}") that `path` matches, for any method; nil when
    /// none does. Metrics label requests with it, so label values stay as few as the routes.
    public func pattern(for path: String) -> String? {
        let table = lock.withLock { routes }
        let requestSegments = Self.segments(of: path)
        return table.first { Self.match($0.segments, requestSegments) != nil }?.path
    }

    /// "/a/b/" and "/a/b" are different paths; only the leading "/" is dropped.
    private static func segments(of path: String) -> [Substring] {
        let trimmed = path.hasPrefix("/") ? path.dropFirst() : Substring(path)
        return trimmed.split(separator: "/", omittingEmptySubsequences: false)
    }

    private static func match(_ pattern: [Substring], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, path) {
            if expected.hasPrefix("{") && expected.hasSuffix("}") && expected.count > 2 {
                guard !actual.isEmpty else { return nil }
                let name = String(expected.dropFirst().dropLast())
                parameters[name] = actual.removingPercentEncoding ?? String(actual)
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}
