import HTTP

// GET /v1/models and /v1/models/{id}: the one served model.
extension APIServer {
    func modelObject() -> JSONValue {
        .object(JSONObject([
            ("id", .string(engine.modelName)), ("object", .string("model")),
            ("created", .int(Int(created.timeIntervalSince1970))), ("owned_by", .string("kvserve")),
        ]))
    }

    func listModels(_ request: HTTPRequest, _ responder: HTTPResponder) {
        APIServer.respond(responder, status: 200,
                          json: .object(JSONObject([("object", .string("list")), ("data", .array([modelObject()]))])))
    }

    func getModel(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let id = request.pathParameters["id"] ?? ""
        guard id == engine.modelName else {
            return APIServer.respondOpenAI(responder, error: APIError(
                status: 404, message: "model \"\(id)\" not found; this server serves \"\(engine.modelName)\"",
                param: "model"))
        }
        APIServer.respond(responder, status: 200, json: modelObject())
    }
}
