import Foundation
import Synchronization
import Generation
import Llama
import Sessions

/// `kvserve bench-kv`: what the KV cache type buys, each figure beside the f32 baseline from the
/// same run. (1) Bytes per token as `GET /sessions/{id}` reports them (an engine per type, one
/// short session). (2) How many 1000-token sessions a 1 GiB budget keeps in memory: real
/// caches committed to a `SessionManager` until it first evicts. (3) A 4000-token session
/// restored from its log on disk vs recomputed by prefill. (4) Decode speed on that 4000-token
/// context, median of 3 interleaved rounds. Prompts are fixed pseudo-random token ids.
struct KVBenchmark {
    let loaded: LoadedModel
    let threads: Int
    let types: [KVCacheType] = [.f32, .f16, .q8_0]
    var sessionTokens = 1000
    var budgetBytes = 1 << 30
    var longTokens = 4000
    var decodeTokens = 16
    let quiet: (String) -> Void = { _ in }

    var model: LlamaModel { loaded.model }

    func run() throws {
        let name = (loaded.file.path as NSString).lastPathComponent
        print("kvserve bench-kv: \(name), \(threads) threads; f32 is the baseline (before), f16 the default")
        try reportedBytes()
        let prompt = benchTokens(longTokens)
        var long: [KVCacheType: (cache: KVCache, seconds: Double)] = [:]
        for type in types { long[type] = try prefill(prompt, type) }
        try sessionsInBudget(long.mapValues(\.cache))
        try restoreVersusRecompute(long, prompt: prompt)
        try decodeSpeed(long.mapValues(\.cache))
    }

    /// (1) kv_bytes_per_token from the engine's session info, which GET /sessions/{id} encodes.
    private func reportedBytes() throws {
        print("\n1. KV bytes per token, from GET /sessions/{id}'s session info (kv_cache_type, kv_bytes_per_token)")
        for type in types {
            var config = Engine.EngineConfig(modelName: "bench", log: quiet)
            config.kvCacheType = type
            let engine = try Engine(model: model, tokenizer: loaded.tokenizer, template: loaded.template, config: config)
            defer { engine.shutdown(deadline: 0) }
            let id = "bench-kv-\(type)"
            _ = try runSync(engine, GenerationRequest(input: .text("Hello"), sampling: .greedy, maxTokens: 2, sessionID: id))
            guard let info = engine.session(id) else { throw ConfigurationError.badArgument("session \(id) vanished") }
            print("   \(pad(info.kvCacheType, 5)): \(info.kvBytesPerToken) bytes/token  (\(info.tokens) tokens hold \(info.kvBytes) bytes)")
            print("RESULT kvserve kv_bytes_per_token_\(type) \(info.kvBytesPerToken)")
        }
    }

    private func prefill(_ prompt: [Int32], _ type: KVCacheType) throws -> (cache: KVCache, seconds: Double) {
        var cache = model.makeCache(type: type, reserve: prompt.count + decodeTokens)
        let t = try timed { _ = try model.forward(prompt, cache: &cache) }
        return (cache, t)
    }

    /// (2) Sessions of `sessionTokens` tokens committed until the manager evicts the first one.
    private func sessionsInBudget(_ caches: [KVCacheType: KVCache]) throws {
        print("\n2. \(sessionTokens)-token sessions kept in memory by a \(budgetBytes >> 20) MiB KV budget")
        var counts: [KVCacheType: Int] = [:]
        for type in types {
            guard let source = caches[type] else { continue }
            let rows = source.serialized(tokens: 0..<sessionTokens)
            let bpt = model.config.kvBytesPerToken(type)
            let manager = try SessionManager<KVCache>(
                config: SessionManagerConfig(budgetBytes: budgetBytes, modelIdentity: "bench",
                                             cacheLayout: model.cacheLayout(type), log: quiet),
                makeCache: { [model] in model.makeCache(type: type) })
            let history = benchTokens(sessionTokens)
            var allocated = 0
            var kept = 0
            while manager.evictionCount == 0 {
                let entry = try manager.checkout(id: "s\(kept)")
                _ = try manager.reserve(entry, tokens: sessionTokens)
                var cache = model.makeCache(type: type, reserve: sessionTokens)
                try cache.appendSerialized(rows, tokenCount: sessionTokens)
                allocated += cache.allocatedByteCount
                try commitDurably(manager, entry, cache: cache, kvFrom: sessionTokens, history: history)
                manager.release(entry)
                if manager.evictionCount == 0 { kept += 1 }
            }
            counts[type] = kept
            let held = manager.stats.inMemory
            print("   \(pad(type.rawValue, 5)): \(pad(kept, 4)) sessions (\(held) in memory after the first eviction; "
                + "\(String(format: "%.1f", Double(kept * sessionTokens * bpt) / 1_048_576)) MiB of KV)")
            print("RESULT kvserve sessions_in_budget_\(type) \(kept)")
        }
        if let base = counts[.f32], base > 0 {
            let ratios = types.dropFirst().map { "\($0): \(String(format: "%.2f", Double(counts[$0] ?? 0) / Double(base)))x" }
            print("   vs f32: " + ratios.joined(separator: ", "))
        }
    }

    /// (3) The long session written to a log (as a turn commit does), then read back by a new
    /// manager (as after a restart or an eviction), beside the prefill that recomputes it.
    private func restoreVersusRecompute(_ long: [KVCacheType: (cache: KVCache, seconds: Double)], prompt: [Int32]) throws {
        print("\n3. A \(longTokens)-token session: restore from its log on disk vs recompute (prefill)")
        print("   type   log MiB   write s   restore s   recompute s   recompute/restore")
        for type in types {
            guard let (cache, recompute) = long[type] else { continue }
            let dir = NSTemporaryDirectory() + "kvserve-bench-kv-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let config = SessionManagerConfig(budgetBytes: budgetBytes, stateDirectory: dir, modelIdentity: "bench",
                                              cacheLayout: model.cacheLayout(type), log: quiet)
            let make = { [model] in model.makeCache(type: type) }
            let writer = try SessionManager<KVCache>(config: config, makeCache: make)
            let entry = try writer.checkout(id: "long")
            _ = try writer.reserve(entry, tokens: prompt.count)
            let write = try timed {
                try commitDurably(writer, entry, cache: cache, kvFrom: 0, history: prompt)
            }
            writer.release(entry)
            let reader = try SessionManager<KVCache>(config: config, makeCache: make)
            let back = try reader.checkout(id: "long")
            let restore = try timed { _ = try reader.reserve(back, tokens: prompt.count + 1) }
            let restored = try reader.takeCache(back, prompt: prompt + [0]).cache  // one token more: nothing cut
            guard restored.count == cache.count,
                  restored.serialized(tokens: 0..<restored.count) == cache.serialized(tokens: 0..<cache.count) else {
                throw ConfigurationError.badArgument("bench-kv: the restored \(type) cache differs from the saved one")
            }
            let logBytes = reader.stats.diskBytes
            print("   \(pad(type.rawValue, 5))  \(pad(Double(logBytes) / 1_048_576, 8))  \(pad(write, 8, 3))  "
                + "\(pad(restore, 10, 3))  \(pad(recompute, 12, 2))  \(pad(recompute / restore, 18, 0))x")
            print("RESULT kvserve restore_s_\(type) \(String(format: "%.4f", restore))")
            print("RESULT kvserve recompute_s_\(type) \(String(format: "%.3f", recompute))")
        }
        print("   (restore reads a file just written, so from the page cache; a cold disk adds its read time)")
    }

    /// (4) Decode tok/s on each type's long cache; rounds interleave the types so load on the
    /// machine hits them alike; each run is truncated back, so every round sees the same context.
    private func decodeSpeed(_ caches: [KVCacheType: KVCache]) throws {
        print("\n4. Decode at \(longTokens) tokens of context, \(decodeTokens) tokens, median of 3 interleaved rounds")
        var caches = caches
        var rates: [KVCacheType: [Double]] = [:]
        for _ in 0..<3 {
            for type in types {
                guard var cache = caches.removeValue(forKey: type) else { continue }
                var token = Int32(1)
                let t = try timed {
                    for _ in 0..<decodeTokens { token = argmax(try model.forward([token], cache: &cache)) }
                }
                cache.truncate(to: longTokens)
                caches[type] = cache
                rates[type, default: []].append(Double(decodeTokens) / t)
            }
        }
        let median = rates.mapValues { $0.sorted()[$0.count / 2] }
        let base = median[.f32] ?? 1
        for type in types {
            let r = median[type] ?? 0
            print("   \(pad(type.rawValue, 5)): \(pad(r, 7)) tok/s  (\(String(format: "%.2f", r / base))x f32)")
            print("RESULT kvserve decode_\(longTokens)_\(type) \(String(format: "%.2f", r))")
        }
    }

    private func runSync(_ engine: Engine, _ request: GenerationRequest) throws -> GenerationResult {
        final class Box: @unchecked Sendable {  // written by the engine's callback before `done` is signalled, read after
            var outcome: Result<GenerationResult, GenerationError>?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        _ = try engine.submit(request) { event in
            switch event {
            case .token: break
            case .finished(let r): box.outcome = .success(r); done.signal()
            case .failed(let e): box.outcome = .failure(e); done.signal()
            }
        }
        done.wait()
        guard let outcome = box.outcome else { throw GenerationError.internalError("no result") }
        return try outcome.get()
    }

    private func timed(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func argmax(_ logits: [Float]) -> Int32 {
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        return Int32(best)
    }

    /// n token ids from an LCG over the vocabulary: the same prompt every run.
    private func benchTokens(_ n: Int) -> [Int32] {
        var state: UInt64 = 2026
        return (0..<n).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int32((state >> 33) % UInt64(model.config.vocab))
        }
    }

    private func pad(_ v: Int, _ width: Int) -> String { pad(String(v), width) }
    private func pad(_ v: Double, _ width: Int, _ digits: Int = 1) -> String { pad(String(format: "%.\(digits)f", v), width) }
    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    /// Commits a turn and waits until its record is on disk (as the engine does before a turn's
    /// final event).
    private func commitDurably(_ manager: SessionManager<KVCache>, _ entry: SessionEntry<KVCache>, cache: KVCache,
                               kvFrom: Int, history: [Int32]) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<Error?>(nil)
        manager.commit(entry, cache: cache, kvFrom: kvFrom, history: history, mode: .raw, newMessages: []) { error in
            failure.withLock { $0 = error }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
