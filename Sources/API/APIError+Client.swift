import HTTP

// What a client may see of an error. A 500's text names internals (file paths, errno,
// engine state), so the client gets a generic message with the request id, and the detail
// goes only to the access-log line of that request id.
protocol ErrorReporting: AnyObject {
    var requestID: String { get }
    var logFields: [String: String] { get set }
}

extension HTTPResponder: ErrorReporting {}

extension ErrorReporting {
    func shown(_ error: APIError) -> APIError {
        guard error.status == 500 else { return error }
        if logFields["error"] == nil { logFields["error"] = error.message }
        return APIError(status: 500, message: "internal server error; the server log has the details under request id \(requestID)",
                        param: nil, headers: error.headers)
    }
}

extension APIError {
    // The last line of an NDJSON stream (or SSE event of /generate) that failed after its
    // 200 head was sent: the envelope plus `"done": true`, so a client reading for `done`
    // stops there knowing why.
    var finalEnvelope: JSONValue {
        guard case .object(var object) = envelope else { return envelope }
        object["done"] = .bool(true)
        return .object(object)
    }
}
