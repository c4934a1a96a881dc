import Foundation
import Generation
import HTTP
import Tokenization

// POST /v1/chat/completions and /v1/completions: one engine job with n choices; answered
// as one object or as SSE chunks ending with `data: [DONE]`.
struct ChatCompletionHandler {
    let server: APIServer
    var engine: Engine { server.engine }

    func handle(_ request: HTTPRequest, _ responder: HTTPResponder, legacy: Bool) {
        let body: OpenAIBody
        do {
            body = try OpenAIBody.decode(request.body, legacy: legacy, contextLength: engine.contextLength,
                                         owner: server.owner(request))
            try server.checkModel(body.model)
            if body.toolsActive && !engine.supportsTools {
                throw APIError.invalid("tools", "the model's chat template has no tool support; send the request without tools")
            }
        } catch {
            return APIServer.respondOpenAI(responder, error: APIError(any: error))
        }
        if !body.ignored.isEmpty { server.debugLog("\(request.path): ignoring fields \(body.ignored.joined(separator: ", "))") }
        let run = ChoiceRun(body: body, legacy: legacy, model: engine.modelName)
        if body.stream { stream(run, responder) } else { whole(run, responder) }
    }

    private func whole(_ run: ChoiceRun, _ responder: HTTPResponder) {
        do {
            let ticket = try engine.submitChoices(run.body.request) { i, event in
                guard !run.failed else { return }
                switch event {
                case let .token(_, text, logprob):
                    run.choices[i].text += text
                    if let logprob { run.choices[i].logprobs.append(logprob) }
                case .finished(let result):
                    run.choices[i].result = result
                    if run.allFinished {
                        responder.logFields["tokens"] = String(result.usage.promptTokens + result.usage.completionTokens)
                        APIServer.respond(responder, status: 200, json: run.response())
                    }
                case .failed(let error):
                    run.failed = true
                    APIServer.respondOpenAI(responder, error: APIError(error))
                }
            }
            responder.onClientGone { ticket.cancel() }
        } catch {
            APIServer.respondOpenAI(responder, error: APIError(any: error))
        }
    }

    private func stream(_ run: ChoiceRun, _ responder: HTTPResponder) {
        let out = FrameStream(responder: responder, contentType: "text/event-stream")
        do {
            let ticket = try engine.submitChoices(run.body.request) { i, event in
                guard !run.failed else { return }
                switch event {
                case let .token(_, text, logprob):
                    streamToken(run, out, i, text, logprob)
                case .finished(let result):
                    run.choices[i].result = result
                    streamFinish(run, out, i, result)
                    if run.allFinished {
                        if run.body.includeUsage { out.send(FrameStream.sse(run.chunk([], usage: run.usage()))) }
                        out.send(FrameStream.sseDone)
                        out.finish()
                    }
                case .failed(let error):
                    run.failed = true
                    out.send(FrameStream.sse(responder.shown(APIError(error)).openAIEnvelope))
                    out.send(FrameStream.sseDone)
                    out.finish()
                }
            }
            out.start(ticket: ticket)
        } catch {
            APIServer.respondOpenAI(responder, error: APIError(any: error))
        }
    }

    private func streamToken(_ run: ChoiceRun, _ out: FrameStream, _ i: Int, _ text: String, _ logprob: TokenLogprob?) {
        let visible = run.body.toolsActive ? run.choices[i].filter.append(text) : text
        let role = !run.choices[i].started && !run.legacy
        run.choices[i].started = true
        if role { out.send(FrameStream.sse(run.chunk([run.item(i, content: "", role: true)]))) }
        if !visible.isEmpty || logprob != nil {
            out.send(FrameStream.sse(run.chunk([run.item(i, content: visible, logprobs: logprob.map { [$0] })])))
        }
        run.choices[i].text += text
        if let logprob { run.choices[i].logprobs.append(logprob) }
    }

    private func streamFinish(_ run: ChoiceRun, _ out: FrameStream, _ i: Int, _ result: GenerationResult) {
        if !run.choices[i].started && !run.legacy {
            out.send(FrameStream.sse(run.chunk([run.item(i, content: "", role: true)])))
        }
        var calls: [ChatToolCall] = []
        if run.body.toolsActive {
            calls = run.final(i).calls
            if calls.isEmpty {
                // Text held back as a possible call turned out to be content.
                let tail = run.choices[i].filter.flush() + run.choices[i].filter.callText
                if !tail.isEmpty { out.send(FrameStream.sse(run.chunk([run.item(i, content: tail)]))) }
            }
        }
        if !calls.isEmpty { out.send(FrameStream.sse(run.chunk([run.item(i, content: nil, calls: calls)]))) }
        let finish = OpenAIEncoding.finishReason(result.finishReason, toolCalls: !calls.isEmpty)
        out.send(FrameStream.sse(run.chunk([run.item(i, content: run.legacy ? "" : nil, finish: finish)])))
    }
}

extension APIServer {
    /// The `model` field: any value is accepted (as llama.cpp's server does), since one model
    /// is served and clients often send a fixed name; only its type is checked.
    func checkModel(_ model: String?) throws {}
}
