import Foundation
import Generation
import HTTP
import Telemetry

// POST /generate: validate, submit, then answer as one JSON object or as a stream.
struct GenerateHandler {
    let engine: Engine
    var metrics: ServerMetrics? = nil

    func handle(_ request: HTTPRequest, _ responder: HTTPResponder, owner: Owner = Owner(suffix: "")) {
        var body: GenerateBody
        do {
            body = try GenerateBody.decode(request.body, contextLength: engine.contextLength,
                                           isValidSessionID: Engine.isValidSessionID)
            // A session belongs to the API key that made it (see APIKeys.swift).
            body.sessionID = body.sessionID.map(owner.scoped)
        } catch {
            APIServer.respond(responder, error: APIError(any: error))
            return
        }
        if let session = body.sessionID { responder.logFields["session_id"] = session }
        if body.stream {
            stream(body, framing: GenerateHandler.framing(for: request), responder, owner)
        } else {
            whole(body, responder, owner)
        }
    }

    // SSE when the client asks for text/event-stream (any parameters), NDJSON otherwise.
    static func framing(for request: HTTPRequest) -> GenerationStream.Framing {
        let wantsSSE = request.headers.tokens(for: "Accept").contains {
            $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } == "text/event-stream"
        }
        return wantsSSE ? .sse : .ndjson
    }

    private func stream(_ body: GenerateBody, framing: GenerationStream.Framing, _ responder: HTTPResponder, _ owner: Owner) {
        let stream = GenerationStream(responder: responder, framing: framing)
        do {
            let ticket = try engine.submit(body.generationRequest,
                                           onEvent: GenerationTimer(metrics: metrics).wrap { stream.handle(GenerateHandler.unscoped($0, owner)) })
            stream.start(ticket: ticket)
        } catch {
            // Submit validates synchronously, so a rejected request still gets its real status.
            APIServer.respond(responder, error: APIError(any: error))
        }
    }

    private func whole(_ body: GenerateBody, _ responder: HTTPResponder, _ owner: Owner) {
        do {
            let ticket = try engine.submit(body.generationRequest, onEvent: GenerationTimer(metrics: metrics).wrap { event in
                switch GenerateHandler.unscoped(event, owner) {
                case .token:
                    break
                case .finished(let result):
                    responder.logFields["tokens"] = String(result.usage.promptTokens + result.usage.completionTokens)
                    APIServer.respond(responder, status: 200, json: ResultEncoding.result(result))
                case .failed(let error):
                    APIServer.respond(responder, error: APIError(error))
                }
            })
            responder.onClientGone { ticket.cancel() }
        } catch {
            APIServer.respond(responder, error: APIError(any: error))
        }
    }

    // Results name the session as the client does.
    static func unscoped(_ event: GenerationEvent, _ owner: Owner) -> GenerationEvent {
        guard case .finished(var result) = event, let id = result.sessionID else { return event }
        result.sessionID = owner.unscoped(id) ?? id
        return .finished(result)
    }
}
