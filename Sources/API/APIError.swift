import HTTP

// An error answered to the client as
// {"error": {"type": ..., "message": ..., "param": ...|null}} with its HTTP status.
// All request-validation failures are built here; GenerationError is mapped in
// APIError+Generation.swift so the status table lives in one place.
// The envelope's `type` follows from the status through the server's one error table
// (HTTP's `ErrorTable`), so the API and the HTTP layer cannot spell an error two ways.
public struct APIError: Error, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public var param: String?
    public var headers: [(String, String)] = []

    public init(status: Int, message: String, param: String?, headers: [(String, String)] = []) {
        self.status = status
        self.message = message
        self.param = param
        self.headers = headers
    }

    public var type: String { ErrorTable.type(forStatus: status) }

    public static func invalid(_ param: String?, _ message: String) -> APIError {
        APIError(status: 400, message: message, param: param)
    }

    public var description: String { "\(status) \(type): \(message)" + (param.map { " (param \($0))" } ?? "") }

    public var envelope: JSONValue {
        .object(JSONObject([
            ("error", .object(JSONObject([
                ("type", .string(type)),
                ("message", .string(message)),
                ("param", param.map { .string($0) } ?? .null),
            ]))),
        ]))
    }

    public static func == (lhs: APIError, rhs: APIError) -> Bool {
        lhs.status == rhs.status && lhs.message == rhs.message && lhs.param == rhs.param
            && lhs.headers.elementsEqual(rhs.headers, by: { $0 == $1 })
    }
}
