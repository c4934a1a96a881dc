import HTTP

// Every request passes here before routing: the API-key check (all routes but /health), then
// /v1 to the OpenAI table, everything else to the shared router.
extension APIServer {
    public func handle(_ request: HTTPRequest, _ responder: HTTPResponder, router: Router) {
        let isV1 = request.path == "/v1" || request.path.hasPrefix("/v1/")
        if request.path != "/health", apiKeys.owner(of: request) == nil {
            var error = APIError.unauthorized()
            error.headers = [("WWW-Authenticate", "Bearer")]
            if isV1 { APIServer.respondOpenAI(responder, error: error) } else { APIServer.respond(responder, error: error) }
            return
        }
        if let error = APIServer.sessionHeaderError(request) {  // scale-out: X-Session-Id agrees with the body
            if isV1 { APIServer.respondOpenAI(responder, error: error) } else { APIServer.respond(responder, error: error) }
            return
        }
        if isV1 { v1.handle(request, responder) } else { router.handle(request, responder) }
    }

    func owner(_ request: HTTPRequest) -> Owner {
        apiKeys.owner(of: request) ?? Owner(suffix: "")
    }

    func registerV1() {
        let chat = ChatCompletionHandler(server: self)
        let responses = ResponsesHandler(server: self)
        v1.add("POST", "/v1/chat/completions") { chat.handle($0, $1, legacy: false) }
        v1.add("POST", "/v1/completions") { chat.handle($0, $1, legacy: true) }
        v1.add("GET", "/v1/models") { self.listModels($0, $1) }
        v1.add("GET", "/v1/models/{id}") { self.getModel($0, $1) }
        v1.add("POST", "/v1/responses") { responses.create($0, $1) }
        v1.add("GET", "/v1/responses/{id}") { responses.get($0, $1) }
        v1.add("DELETE", "/v1/responses/{id}") { responses.delete($0, $1) }
    }
}
