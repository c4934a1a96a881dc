// OpenAI's error shape, used on every /v1 route:
// {"error": {"message": ..., "type": ..., "param": ...|null, "code": ...|null}}.
extension APIError {
    public var openAIEnvelope: JSONValue {
        .object(JSONObject([
            ("error", .object(JSONObject([
                ("message", .string(message)),
                ("type", .string(type)),
                ("param", param.map { .string($0) } ?? .null),
                ("code", openAICode.map { .string($0) } ?? .null),
            ]))),
        ]))
    }

    private var openAICode: String? {
        switch status {
        case 401: return "invalid_api_key"
        case 404: return "not_found"
        case 405: return "method_not_allowed"
        default: return nil
        }
    }

    static func unauthorized() -> APIError {
        APIError(status: 401,
                 message: "missing or invalid API key; send Authorization: Bearer <key>", param: nil)
    }
}

extension APIServer {
    static func respondOpenAI(_ responder: HTTPResponderLike, error: APIError) {
        let error = responder.shown(error)
        responder.respond(status: error.status, headers: [("Content-Type", "application/json")] + error.headers,
                          body: JSONWriter.bytes(error.openAIEnvelope))
    }

    /// `body` on success, the OpenAI error envelope on failure.
    static func answerOpenAI(_ responder: HTTPResponderLike, _ body: () throws -> JSONValue) {
        do {
            responder.respond(status: 200, headers: [("Content-Type", "application/json")], body: JSONWriter.bytes(try body()))
        } catch {
            respondOpenAI(responder, error: APIError(any: error))
        }
    }
}
