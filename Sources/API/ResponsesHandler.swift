import Foundation
import Generation
import HTTP

// The Responses API over sessions. A stored response IS a named session whose id is the
// response id (scoped to the caller's key): its conversation, KV cache, budget, spill to
// disk and restore after restart are the session machinery's. `previous_response_id` forks
// that session (copy-on-write cache, copied log) into the new response's session and sends
// only the new input, so only it is prefilled; two follow-ups of one response are two
// independent branches. `store: false` runs without keeping anything.
struct ResponsesHandler {
    let server: APIServer
    var engine: Engine { server.engine }

    func create(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let owner = server.owner(request)
        let body: ResponsesBody
        do {
            body = try ResponsesBody.decode(request.body, contextLength: engine.contextLength)
            try server.checkModel(body.model)
        } catch {
            return APIServer.respondOpenAI(responder, error: APIError(any: error))
        }
        if !body.ignored.isEmpty { server.debugLog("/v1/responses: ignoring fields \(body.ignored.joined(separator: ", "))") }
        let response = ResponseState(id: OpenAIEncoding.newID("resp_"), body: body, model: engine.modelName)
        let sessionID = owner.scoped(response.id)
        let needsSession = body.store || body.previousID != nil
        var generation = GenerationRequest(input: .messages(body.messages), sampling: body.sampling,
                                           maxTokens: body.maxOutputTokens ?? min(OpenAIBody.defaultMaxTokens, engine.contextLength))
        generation.constraint = body.constraint
        do {
            if let previous = body.previousID {
                do {
                    try engine.forkSession(from: owner.scoped(previous), to: sessionID)
                } catch GenerationError.sessionNotFound {
                    throw APIError(status: 404,
                                   message: "previous response \"\(previous)\" not found", param: "previous_response_id")
                } catch GenerationError.invalidRequest {
                    throw APIError(status: 404,
                                   message: "previous response \"\(previous)\" not found", param: "previous_response_id")
                }
            }
            if needsSession { generation.sessionID = sessionID }
            // Not kept: the branch made for this one turn goes once it is answered.
            let cleanup: () -> Void = { if needsSession && !body.store { try? engine.deleteSession(sessionID) } }
            if body.stream {
                try stream(response, generation, responder, cleanup: cleanup, failed: { try? engine.deleteSession(sessionID) })
            } else {
                try whole(response, generation, responder, cleanup: cleanup, failed: { try? engine.deleteSession(sessionID) })
            }
        } catch {
            if body.previousID != nil { try? engine.deleteSession(sessionID) }
            APIServer.respondOpenAI(responder, error: APIError(any: error))
        }
    }

    private func whole(_ response: ResponseState, _ request: GenerationRequest, _ responder: HTTPResponder,
                       cleanup: @escaping () -> Void, failed: @escaping () -> Void) throws {
        let ticket = try engine.submit(request) { event in
            switch event {
            case .token(_, let text):
                response.text += text
            case .finished(let result):
                cleanup()
                APIServer.respond(responder, status: 200, json: response.object(result))
            case .failed(let error):
                failed()
                APIServer.respondOpenAI(responder, error: APIError(error))
            }
        }
        responder.onClientGone { ticket.cancel() }
    }

    // Event types and order as documented under "Streaming events" of the Responses API.
    private func stream(_ response: ResponseState, _ request: GenerationRequest, _ responder: HTTPResponder,
                        cleanup: @escaping () -> Void, failed: @escaping () -> Void) throws {
        let out = FrameStream(responder: responder, contentType: "text/event-stream")
        var sequence = 0
        func send(_ type: String, _ members: [(String, JSONValue)]) {
            var o = JSONObject([("type", .string(type)), ("sequence_number", .int(sequence))])
            for (k, v) in members { o[k] = v }
            sequence += 1
            out.send(Array("event: \(type)\n".utf8) + FrameStream.sse(.object(o)))
        }
        let part: (String) -> JSONValue = { text in
            .object(JSONObject([("type", .string("output_text")), ("text", .string(text)), ("annotations", .array([]))]))
        }
        let at: [(String, JSONValue)] = [("item_id", .string(response.messageID)), ("output_index", .int(0)),
                                         ("content_index", .int(0))]
        send("response.created", [("response", response.object(nil))])
        send("response.in_progress", [("response", response.object(nil))])
        send("response.output_item.added", [("output_index", .int(0)), ("item", response.message(status: "in_progress", content: []))])
        send("response.content_part.added", at + [("part", part(""))])
        let ticket = try engine.submit(request) { event in
            switch event {
            case .token(_, let text):
                response.text += text
                if !text.isEmpty { send("response.output_text.delta", at + [("delta", .string(text)), ("logprobs", .array([]))]) }
            case .finished(let result):
                cleanup()
                send("response.output_text.done", at + [("text", .string(response.text)), ("logprobs", .array([]))])
                send("response.content_part.done", at + [("part", part(response.text))])
                send("response.output_item.done", [("output_index", .int(0)),
                                                   ("item", response.message(status: "completed", content: [part(response.text)]))])
                send(result.finishReason == .length ? "response.incomplete" : "response.completed",
                     [("response", response.object(result))])
                out.finish()
            case .failed(let error):
                failed()
                send("error", [("code", .null), ("message", .string(responder.shown(APIError(error)).message)), ("param", .null)])
                out.finish()
            }
        }
        out.start(ticket: ticket)
    }

    func get(_ request: HTTPRequest, _ responder: HTTPResponder) {
        APIServer.answerOpenAI(responder) {
            let id = request.pathParameters["id"] ?? ""
            let internalID = server.owner(request).scoped(id)
            guard Engine.isValidSessionID(internalID), let messages = engine.sessionMessages(internalID),
                  let info = engine.session(internalID) else { throw notFound(id) }
            let reply = messages.last(where: { $0.role == "assistant" })?.content ?? ""
            return ResponseState.stored(id: id, model: engine.modelName, reply: reply, info: info)
        }
    }

    func delete(_ request: HTTPRequest, _ responder: HTTPResponder) {
        APIServer.answerOpenAI(responder) {
            let id = request.pathParameters["id"] ?? ""
            let internalID = server.owner(request).scoped(id)
            guard Engine.isValidSessionID(internalID), engine.session(internalID) != nil else { throw notFound(id) }
            try engine.deleteSession(internalID)
            return .object(JSONObject([("id", .string(id)), ("object", .string("response.deleted")), ("deleted", .bool(true))]))
        }
    }

    private func notFound(_ id: String) -> APIError {
        APIError(status: 404, message: "response \"\(id)\" not found", param: "response_id")
    }
}
