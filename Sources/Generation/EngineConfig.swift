import Foundation
import Llama

extension Engine {
    /// The engine's settings. The defaults of `init` are the server's defaults too: App's
    /// `Configuration` reads them from `EngineConfig.standard`, so there is one table.
    public struct EngineConfig {
        /// Chosen by `kvserve bench-scheduler`: a step stays well under 0.3 s on the default model, 2 cores.
        public static let defaultBatchTokenBudget = 64
        /// A running stream's gap between tokens while prompts are prefilled beside it.
        public static let defaultStepTimeMs = 120.0
        /// Every field at its default.
        public static var standard: EngineConfig { EngineConfig() }
        /// Requests waiting for the model worker (the up to `maxBatch` running ones not counted);
        /// more => queueFull.
        public var queueSize: Int
        /// Byte budget over all KV caches (named sessions and anonymous prefix caches).
        public var kvBudgetBytes: Int
        /// Where session logs live (durable sessions); nil = sessions in memory only.
        public var stateDirectory: String?
        /// Idle sessions are deleted after this long; <= 0 keeps them forever.
        public var sessionTTL: TimeInterval
        public var modelName: String
        /// Fingerprint of the model file written into session logs; empty = the GGUF's identity.
        public var modelIdentity: String
        /// Caches kept for prefix reuse by requests without a session id.
        public var anonymousCacheCount: Int
        /// Caps the model's context length (nil = the model's own).
        public var contextLength: Int?
        /// Prompt tokens per forward during prefill; cancellation is checked between chunks.
        /// Also the prefill budget per worker step: decoding jobs wait at most this many
        /// prompt tokens of other jobs' prefill between two of their tokens.
        public var prefillChunk: Int
        /// Jobs decoded together in one batched forward per step (1 = one job at a time).
        public var maxBatch: Int
        /// Tokens per model step: each decoding job's next token plus chunks of waiting prompts,
        /// in one batched forward (prompts get at least a quarter). 0: prompts are prefilled in
        /// forwards of their own, `prefillChunk` tokens per step, oldest first (the old way).
        public var batchTokenBudget: Int
        /// Step time (ms) to aim at while requests decode: prompt chunks beside their tokens are
        /// sized by the measured cost of a step, within `batchTokenBudget` (`StepBudget`). With
        /// nobody decoding, prompts take `batchTokenBudget` tokens per step. 0: the fixed budget.
        public var stepTimeMs: Double = EngineConfig.defaultStepTimeMs
        /// Logs one line per model step (rows, prompt chunks, forward time vs predicted).
        public var traceSteps = false
        /// Speculative decoding of requests that do not choose (`speculative` request field).
        public var speculative: SpeculativeMode = .ngram
        /// Element type of every KV cache (f16 halves f32's bytes; q8_0 about a quarter).
        public var kvCacheType: KVCacheType = .f16
        public var log: (String) -> Void

        public init(queueSize: Int = 64, kvBudgetBytes: Int = 1 << 30, stateDirectory: String? = nil,
                    sessionTTL: TimeInterval = 3600, modelName: String = "model", modelIdentity: String = "",
                    anonymousCacheCount: Int = 4, contextLength: Int? = nil, prefillChunk: Int = 256,
                    maxBatch: Int = 32, batchTokenBudget: Int = EngineConfig.defaultBatchTokenBudget,
                    log: @escaping (String) -> Void = { FileHandle.standardError.write(Data(("kvserve: " + $0 + "\n").utf8)) }) {
            self.queueSize = queueSize
            self.kvBudgetBytes = kvBudgetBytes
            self.stateDirectory = stateDirectory
            self.sessionTTL = sessionTTL
            self.modelName = modelName
            self.modelIdentity = modelIdentity
            self.anonymousCacheCount = anonymousCacheCount
            self.contextLength = contextLength
            self.prefillChunk = prefillChunk
            self.maxBatch = maxBatch
            self.batchTokenBudget = batchTokenBudget
            self.log = log
        }
    }
}
