// An error answered to the client as
// {"error": {"type": ..., "message": ..., "param": ...|null}} with its HTTP status.
// All request-validation failures are built here; GenerationError is mapped in
// APIError+Generation.swift so the status table lives in one place.
public struct APIError: Error, Equatable, CustomStringConvertible {
    public var status: Int
    public var type: String
    public var message: String
    public var param: String?
    public var headers: [(String, String)] = []

    public init(status: Int, type: String, message: String, param: String?, headers: [(String, String)] = []) {
        self.status = status
        self.type = type
        self.message = message
        self.param = param
        self.headers = headers
    }

    public static func invalid(_ param: String?, _ message: String) -> APIError {
        APIError(status: 400, type: "invalid_request_error", message: message, param: param)
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
        lhs.status == rhs.status && lhs.type == rhs.type && lhs.message == rhs.message && lhs.param == rhs.param
            && lhs.headers.elementsEqual(rhs.headers, by: { $0 == $1 })
    }
}
