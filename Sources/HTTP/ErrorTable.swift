/// The server's one error vocabulary: each status it answers with an error body, and the
/// `type` that body's envelope carries. The HTTP layer's own errors (framing, limits,
/// timeouts, 404/405 of the router) and the API's `APIError` both take their type from here,
/// so a client sees exactly one spelling per status (README, "API"; the API's names).
public enum ErrorTable {
    public static let types: [Int: String] = [
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        405: "method_not_allowed_error",
        408: "request_timeout_error",
        409: "conflict_error",
        413: "request_too_large_error",
        417: "expectation_failed_error",
        431: "request_header_too_large_error",
        500: "server_error",
        501: "not_implemented_error",
        503: "overloaded_error",
        505: "http_version_not_supported_error",
        507: "insufficient_storage_error",
    ]

    /// A status missing from the table is a bug caught by the vocabulary tests; a client still
    /// gets the generic type of its class.
    public static func type(forStatus status: Int) -> String {
        types[status] ?? (status >= 500 ? "server_error" : "invalid_request_error")
    }
}
