import Foundation
import Llama
import Sessions
import Tokenization

extension Engine {
    /// Validates synchronously (throws `GenerationError`), then queues. Events arrive on the
    /// worker thread in order, ending with exactly one `.finished` or `.failed`.
    public func submit(_ request: GenerationRequest, onEvent: @escaping (GenerationEvent) -> Void) throws -> GenerationTicket {
        var single = request
        single.n = 1
        return try submitChoices(single) { _, event in onEvent(event.generationEvent) }
    }

    /// Like `submit`, for `request.n` choices: events name their choice, each choice ends with
    /// its own `.finished` or `.failed` (a request refused before it runs ends with one
    /// `.failed` of choice 0).
    public func submitChoices(_ request: GenerationRequest,
                              onEvent: @escaping (Int, ChoiceEvent) -> Void) throws -> GenerationTicket {
        try checkChoices(request)
        guard request.maxTokens >= 1 else {
            throw GenerationError.invalidRequest(param: "max_tokens", message: "max_tokens must be at least 1")
        }
        if let id = request.sessionID, !SessionID.isValid(id) {
            throw GenerationError.invalidRequest(
                param: "session_id", message: "session_id must be 1-128 characters of [A-Za-z0-9._-]")
        }
        try checkAccepting()
        var session: SessionEntry<KVCache>?
        if let id = request.sessionID {
            do { session = try sessions.checkout(id: id) } catch { throw Self.map(error, sessionID: id) }
        }
        do {
            let job = try prepare(request, session: session, onEvent: onEvent)
            try enqueue(job)
            return job.ticket
        } catch {
            if let session { sessions.release(session) }
            throw error
        }
    }

    private func prepare(_ request: GenerationRequest, session: SessionEntry<KVCache>?,
                         onEvent: @escaping (Int, ChoiceEvent) -> Void) throws -> EngineJob {
        let history = session?.tokens.count ?? 0
        var param = "prompt"
        var mode = SessionMode.raw
        var newMessages: [SessionMessage] = []
        let tokens: [Int32]
        switch request.input {
        case .text(let text):
            // A conversation's first text gets the BOS (and EOS) the file asks for, as
            // llama.cpp's server does; text appended to a session's history does not.
            tokens = tokenizer.encode(text, parseSpecial: true, addSpecial: history == 0)
        case .tokens(let ids):
            try checkTokenIDs(ids, param: "prompt")
            tokens = ids
        case .messages(let messages):
            param = "messages"
            mode = .messages
            newMessages = messages.map { SessionMessage(role: $0.role, content: $0.content) }
            tokens = try render(messages, tools: request.tools, session: session)
        }
        guard !tokens.isEmpty else {
            throw GenerationError.invalidRequest(param: param, message: "\(param) is empty")
        }
        let needed = history + tokens.count + request.maxTokens
        if needed > contextLength {
            let blame = history + tokens.count >= contextLength ? param : "max_tokens"
            throw GenerationError.contextOverflow(param: blame, needed: needed, limit: contextLength)
        }
        // Each fork copies the cache on its first write, so n choices need n caches.
        let bytes = needed * kvBytesPerToken * max(request.n, 1)
        if bytes > config.kvBudgetBytes {
            throw GenerationError.budgetExceeded(needed: bytes, budget: config.kvBudgetBytes)
        }
        return EngineJob(request: request, newTokens: tokens, mode: mode, newMessages: newMessages,
                         session: session, kvBytes: bytes, onEvent: onEvent)
    }

    /// Tokens of `messages` rendered with the chat template; for a session, only what they add
    /// to its conversation (see `ConversationContinuation`).
    private func render(_ messages: [ChatMessage], tools: [String], session: SessionEntry<KVCache>?) throws -> [Int32] {
        guard let template else {
            throw GenerationError.invalidRequest(param: "messages", message: "the model has no chat template; send a prompt")
        }
        if !tools.isEmpty || messages.contains(where: { !$0.toolCalls.isEmpty || $0.role == "tool" }) {
            return try renderWithTools(template, messages, tools: tools, session: session)
        }
        guard !messages.isEmpty else {
            throw GenerationError.invalidRequest(param: "messages", message: "messages is empty")
        }
        var previous: [ChatMessage] = []
        if let session {
            if session.mode == .raw {
                throw GenerationError.invalidRequest(
                    param: "messages", message: "session '\(session.id ?? "")' holds a raw prompt history; continue it with prompt")
            }
            previous = session.messages.map { ChatMessage(role: $0.role, content: $0.content) }
        }
        let replyOpen = session?.mode == .messages
        let rendered: [PromptPiece]?
        do {
            rendered = try ConversationContinuation.newPieces(template: template, previous: previous,
                                                              replyOpen: replyOpen, new: messages)
        } catch {
            throw GenerationError.invalidRequest(param: "messages", message: "\(error)")
        }
        guard let pieces = rendered else {
            throw GenerationError.invalidRequest(
                param: "messages", message: "the chat template cannot continue this session's conversation")
        }
        do {
            return try tokenizer.encode(pieces: pieces)
        } catch {
            throw GenerationError.internalError("rendering the chat template: \(error)")
        }
    }
}
