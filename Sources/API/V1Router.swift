import HTTP

// The /v1 routes have their own small table so that an unknown /v1 path or method gets 404
// or 405 in OpenAI's error shape (the shared Router answers in ours).
// @unchecked: the routes are added once while the server is set up, then only read.
final class V1Router: @unchecked Sendable {
    typealias Handler = (HTTPRequest, HTTPResponder) -> Void
    private var routes: [(method: String, segments: [Substring], handler: Handler)] = []

    func add(_ method: String, _ path: String, _ handler: @escaping Handler) {
        routes.append((method, path.dropFirst().split(separator: "/", omittingEmptySubsequences: false), handler))
    }

    func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let path = request.path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.match(route.segments, path) else { continue }
            if route.method == request.method || (request.method == "HEAD" && route.method == "GET") {
                var routed = request
                routed.pathParameters = parameters
                return route.handler(routed, responder)
            }
            allowed.append(route.method)
        }
        if allowed.isEmpty {
            APIServer.respondOpenAI(responder, error: APIError(status: 404,
                                                               message: "no route for \(request.path)", param: nil))
        } else {
            APIServer.respondOpenAI(responder, error: APIError(
                status: 405, message: "\(request.method) is not allowed on \(request.path)",
                param: nil, headers: [("Allow", allowed.joined(separator: ", "))]))
        }
    }

    private static func match(_ pattern: [Substring], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, path) {
            if expected.hasPrefix("{") && expected.hasSuffix("}") {
                guard !actual.isEmpty else { return nil }
                parameters[String(expected.dropFirst().dropLast())] = actual.removingPercentEncoding ?? String(actual)
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}
