import Generation
import HTTP

// `X-Session-Id`: a session's id outside the body, so a load balancer can route every request
// of a session to the same replica without reading JSON (deploy/nginx/kvserve.conf hashes on
// it). It only routes: a request without `session_id` in its body stays stateless. When the
// body (or the /sessions/{id} path) names a session too, both must agree, or the proxy would
// send the session's turns to the wrong replica.
extension APIServer {
    static let sessionHeader = "X-Session-Id"

    /// The 400 for a request whose header disagrees with its body or path; nil when it agrees.
    static func sessionHeaderError(_ request: HTTPRequest) -> APIError? {
        guard let header = request.headers[sessionHeader] else { return nil }
        guard Engine.isValidSessionID(header) else {
            return .invalid(sessionHeader, "\(sessionHeader) must be 1-128 characters of [A-Za-z0-9._-]")
        }
        let named = pathSessionID(request.path) ?? bodySessionID(request.body)
        if let named, named != header {
            return .invalid("session_id", "\(sessionHeader) \"\(header)\" differs from the session_id \"\(named)\" the request names")
        }
        return nil
    }

    private static func pathSessionID(_ path: String) -> String? {
        let prefix = "/sessions/"
        guard path.hasPrefix(prefix) else { return nil }
        let id = String(path.dropFirst(prefix.count))
        return id.isEmpty ? nil : id
    }

    // A body that is not a JSON object, or whose session_id is not a string, is left to the
    // route's own validation.
    private static func bodySessionID(_ body: [UInt8]) -> String? {
        guard !body.isEmpty, case .object(let object)? = try? JSONParser.parse(body),
              case .string(let id)? = object["session_id"] else { return nil }
        return id
    }
}
