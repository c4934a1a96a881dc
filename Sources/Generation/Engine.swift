import Foundation
import Llama
import Sampling
import Sessions
import Tokenization

/// The generation engine: validates requests, queues them (bounded), and runs them on a single
/// model worker thread, up to `maxBatch` at once (continuous batching: one batched forward per
/// step decodes a token of every running job; jobs join and leave between steps), with named
/// sessions and anonymous prefix caches kept by a `SessionManager` under the KV budget.
// @unchecked: the shared state is guarded by `condition` (see below); the model, scratch and
// running slots belong to the one worker thread; sessions have their own lock.
public final class Engine: @unchecked Sendable {
    let model: LlamaModel
    let tokenizer: Tokenizer
    let template: ChatTemplate?
    let config: EngineConfig
    let sessions: SessionManager<KVCache>
    public let modelName: String
    public let contextLength: Int
    /// `general.architecture` (llama, qwen2, gemma3) and the file's quantization (e.g. Q4_K_M).
    public var architecture: String { model.architecture }
    public var quantization: String { model.quantization }

    /// Guards `queue`, `active`, `accepting`, `workerDone`, `averageJobMs`, `peakBatch`; signalled on every change.
    let condition = NSCondition()
    var queue: [EngineJob] = []
    /// Jobs admitted to the worker and not yet finished (at most `maxBatch`).
    var active: [EngineJob] = []
    var accepting = true
    var workerDone = false
    var averageJobMs = 1000.0
    /// Most sequences decoded in one batched forward so far (observability and tests).
    var peakBatch = 0

    public init(model: LlamaModel, tokenizer: Tokenizer, template: ChatTemplate?, config: EngineConfig) throws {
        self.model = model
        self.tokenizer = tokenizer
        self.template = template
        self.config = config
        modelName = config.modelName
        contextLength = min(config.contextLength ?? model.config.contextLength, model.config.contextLength)
        do {
            try model.checkCacheType(config.kvCacheType)
        } catch {
            throw GenerationError.internalError("\(error)")
        }
        var sessionConfig = SessionManagerConfig(
            budgetBytes: config.kvBudgetBytes, stateDirectory: config.stateDirectory, ttl: config.sessionTTL,
            anonymousPoolSize: config.anonymousCacheCount,
            modelIdentity: config.modelIdentity.isEmpty ? model.file.identity : config.modelIdentity,
            cacheLayout: model.cacheLayout(config.kvCacheType), log: config.log)
        sessionConfig.convertibleLayouts = model.convertibleCacheLayouts(to: config.kvCacheType)
        do {
            let type = config.kvCacheType
            sessions = try SessionManager(config: sessionConfig, makeCache: { [model] in model.makeCache(type: type) })
        } catch {
            throw GenerationError.internalError("cannot open the session state: \(error)")
        }
        startWorker()
    }

    public static func isValidSessionID(_ id: String) -> Bool {
        SessionID.isValid(id)
    }

    public func tokenize(_ text: String, special: Bool) -> [Int32] {
        tokenizer.encode(text, parseSpecial: special)
    }

    public func detokenize(_ tokens: [Int32]) throws -> String {
        try checkTokenIDs(tokens, param: "tokens")
        return tokenizer.decode(tokens)
    }

    public func listSessions() -> [SessionInfo] {
        sessions.list().map(info)
    }

    public func session(_ id: String) -> SessionInfo? {
        sessions.status(id: id).map(info)
    }

    /// Throws what a turn on the session would (409 for a log refused at start-up), so GET
    /// answers like POST; a session that does not exist passes (the caller answers 404).
    public func checkSessionUsable(_ id: String) throws {
        if let e = sessions.refusal(id: id) { throw Self.map(e, sessionID: id) }
    }

    public func deleteSession(_ id: String) throws {
        do {
            try sessions.delete(id: id)
        } catch {
            throw Self.map(error, sessionID: id)
        }
    }

    /// Most requests decoded together in one step so far.
    public var largestBatch: Int {
        condition.lock()
        defer { condition.unlock() }
        return peakBatch
    }

    /// Evictions made to stay within the KV budget since start.
    public var evictionCount: Int { sessions.evictionCount }

    func checkTokenIDs(_ tokens: [Int32], param: String) throws {
        for (i, t) in tokens.enumerated() where t < 0 || Int(t) >= tokenizer.vocabSize {
            throw GenerationError.invalidRequest(
                param: param, message: "token id \(t) at index \(i) is outside the vocabulary (0..<\(tokenizer.vocabSize))")
        }
    }

    func info(_ s: SessionStatus) -> SessionInfo {
        SessionInfo(id: s.id, tokens: s.tokens, kvBytes: s.kvBytes, location: s.inMemory ? "memory" : "disk",
                    lastUsed: s.lastUsed, kvCacheType: config.kvCacheType.rawValue, kvBytesPerToken: kvBytesPerToken)
    }

    /// KV cache bytes one token of context takes (every layer's K and V in `kv_cache_type`).
    public var kvBytesPerToken: Int { model.config.kvBytesPerToken(config.kvCacheType) }

    /// An empty cache of the configured type.
    func makeCache() -> KVCache { model.makeCache(type: config.kvCacheType) }

    static func map(_ error: Error, sessionID: String?) -> GenerationError {
        if let e = error as? GenerationError { return e }
        guard let e = error as? SessionError else { return .internalError("\(error)") }
        switch e {
        case .invalidID: return .invalidRequest(param: "session_id", message: e.description)
        case let .busy(id): return .sessionBusy(id: id)
        case let .notFound(id): return .sessionNotFound(id: id)
        case let .budgetExceeded(needed, budget): return .budgetExceeded(needed: needed, budget: budget)
        case let .refused(id, _), let .damaged(id, _): return .sessionUnusable(id: id, message: e.description)
        case .storageFull: return .insufficientStorage(message: e.description)
        case .io: return .internalError(e.description)
        }
    }
}
