import Foundation
import GGUF
import Llama
import Sampling
import Tokenization
import XCTest
@testable import Generation

/// The default model, loaded once for all GenerationTests (fails, never skips, when absent).
enum ModelFixture {
    struct Loaded {
        let model: LlamaModel
        let tokenizer: Tokenizer
        let template: ChatTemplate
    }

    static let loaded: Result<Loaded, Error> = Result {
        let path = ProcessInfo.processInfo.environment["KVSERVE_MODEL"]
            ?? NSHomeDirectory() + "/.cache/kvserve/SmolLM2-135M-Instruct.Q4_1.gguf"
        guard FileManager.default.fileExists(atPath: path) else {
            throw GenerationError.internalError("model not found at \(path): run scripts/fetch-model.sh")
        }
        let file = try GGUFFile(path: path)
        return Loaded(model: try LlamaModel(file: file, threads: 2), tokenizer: try Tokenizer(gguf: file),
                      template: try ChatTemplate(gguf: file))
    }

    static func get(file: StaticString = #filePath, line: UInt = #line) throws -> Loaded {
        switch loaded {
        case .success(let l): return l
        case .failure(let e):
            XCTFail("\(e) (run scripts/fetch-model.sh)", file: file, line: line)
            throw e
        }
    }
}

/// An engine on the default model with a temporary state directory, shut down in deinit.
/// Sendable: only immutable lets around a thread-safe Engine.
final class TestEngine: @unchecked Sendable {
    let engine: Engine
    let dir: String
    let loaded: ModelFixture.Loaded

    init(stateDirectory: String? = nil, persistent: Bool = true, budget: Int = 1 << 30, queueSize: Int = 16,
         anonymousCaches: Int = 4, maxBatch: Int? = nil, prefillChunk: Int? = nil,
         batchTokenBudget: Int? = nil) throws {
        loaded = try ModelFixture.get()
        dir = stateDirectory ?? NSTemporaryDirectory() + "kvserve-engine-\(UUID().uuidString)"
        var config = Engine.EngineConfig(queueSize: queueSize, kvBudgetBytes: budget,
                                         stateDirectory: persistent ? dir : nil, modelName: "smollm2",
                                         anonymousCacheCount: anonymousCaches)
        if let maxBatch { config.maxBatch = maxBatch }
        if let prefillChunk { config.prefillChunk = prefillChunk }
        if let batchTokenBudget { config.batchTokenBudget = batchTokenBudget }
        let box = LogBox()
        config.log = { box.append($0) }
        engine = try Engine(model: loaded.model, tokenizer: loaded.tokenizer, template: loaded.template, config: config)
        logBox = box
    }

    private let logBox: LogBox
    var logLines: [String] { logBox.lines }

    deinit {
        engine.shutdown(deadline: 0)
    }

    func removeState() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Submits and waits for the final event; returns the token events and the outcome.
    func run(_ request: GenerationRequest, onToken: ((Int, GenerationTicket?) -> Void)? = nil) throws
        -> (tokens: [(Int32, String)], result: Result<GenerationResult, GenerationError>) {
        let done = DispatchSemaphore(value: 0)
        let state = RunState()
        let ticket = try engine.submit(request) { event in
            switch event {
            case let .token(id, text):
                state.tokens.append((id, text))
                onToken?(state.tokens.count, state.ticket)
            case let .finished(r):
                state.result = .success(r)
                done.signal()
            case let .failed(e):
                state.result = .failure(e)
                done.signal()
            }
        }
        state.ticket = ticket
        guard done.wait(timeout: .now() + 300) == .success, let result = state.result else {
            throw GenerationError.internalError("timed out waiting for the engine")
        }
        return (state.tokens, result)
    }

    func result(_ request: GenerationRequest) throws -> GenerationResult {
        try run(request).result.get()
    }
}

/// Unchecked: `tokens` and `result` are written only by the engine's callback and read after
/// the run signals its end; `ticket` is stored by the submitting thread while the worker may
/// already be reporting tokens (a race ThreadSanitizer found), so it sits behind a lock.
final class RunState: @unchecked Sendable {
    var tokens: [(Int32, String)] = []
    var result: Result<GenerationResult, GenerationError>?
    private let ticketLock = NSLock()
    private var storedTicket: GenerationTicket?
    var ticket: GenerationTicket? {
        get { ticketLock.lock(); defer { ticketLock.unlock() }; return storedTicket }
        set { ticketLock.lock(); storedTicket = newValue; ticketLock.unlock() }
    }
}

final class LogBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ s: String) { lock.lock(); storage.append(s); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}

extension GenerationRequest {
    static func greedy(_ input: Input, maxTokens: Int = 24, session: String? = nil, stop: [String] = [],
                       ignoreEOS: Bool = false) -> GenerationRequest {
        GenerationRequest(input: input, sampling: .greedy, maxTokens: maxTokens, stop: stop, ignoreEOS: ignoreEOS,
                          sessionID: session)
    }
}
