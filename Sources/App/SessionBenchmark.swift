import Foundation
import Generation
import Llama
import Synchronization
import Sampling
import Tokenization

/// Benchmark (not a test): time to first token per turn of a 16-turn chat, with a session
/// (only the new turn is prefilled), re-sending the whole history with prefix reuse, and
/// re-sending it with no cache at all. Greedy, ignore_eos and a fixed reply length keep
/// the three conversations the same length. `kvserve bench-sessions`.
enum SessionBenchmark {
    struct Row {
        var turn: Int
        var promptTokens: Int
        var sessionTTFTMs: Double
        var prefixReuseTTFTMs: Double
        var noCacheTTFTMs: Double
    }

    static func run(model: LlamaModel, tokenizer: Tokenizer, template: ChatTemplate, turns: Int = 16,
                           replyTokens: Int = 32, print: (String) -> Void = { Swift.print($0) }) throws -> [Row] {
        let quiet: (String) -> Void = { _ in }
        let withPool = try Engine(model: model, tokenizer: tokenizer, template: template,
                                  config: .init(anonymousCacheCount: 4, log: quiet))
        let noPool = try Engine(model: model, tokenizer: tokenizer, template: template,
                                config: .init(anonymousCacheCount: 0, log: quiet))
        defer {
            withPool.shutdown(deadline: 0)
            noPool.shutdown(deadline: 0)
        }
        let session = "bench-\(UUID().uuidString)"
        var conversation: [ChatMessage] = []
        var rows: [Row] = []
        print("turn  prompt_tokens  ttft_session_ms  ttft_prefix_reuse_ms  ttft_no_cache_ms")
        for turn in 1...turns {
            let question = ChatMessage(role: "user", content: "Question \(turn): tell me one more thing about the ocean.")
            conversation.append(question)
            let s = try timeToFirstToken(withPool, request(.messages([question]), replyTokens, session: session))
            let p = try timeToFirstToken(withPool, request(.messages(conversation), replyTokens, session: nil))
            let n = try timeToFirstToken(noPool, request(.messages(conversation), replyTokens, session: nil))
            conversation.append(ChatMessage(role: "assistant", content: s.result.text))
            let row = Row(turn: turn, promptTokens: s.result.usage.promptTokens, sessionTTFTMs: s.ttft,
                          prefixReuseTTFTMs: p.ttft, noCacheTTFTMs: n.ttft)
            rows.append(row)
            print(String(format: "%4d  %13d  %15.1f  %20.1f  %16.1f", turn, row.promptTokens, s.ttft, p.ttft, n.ttft))
        }
        if let first = rows.first, let last = rows.last {
            print(String(format: "session TTFT last/first turn: %.2fx (no cache: %.2fx)",
                         last.sessionTTFTMs / first.sessionTTFTMs, last.noCacheTTFTMs / first.noCacheTTFTMs))
        }
        return rows
    }

    private static func request(_ input: GenerationRequest.Input, _ n: Int, session: String?) -> GenerationRequest {
        GenerationRequest(input: input, sampling: .greedy, maxTokens: n, ignoreEOS: true, sessionID: session)
    }

    /// Submit-to-first-token wall time (monotonic), and the final result.
    private static func timeToFirstToken(_ engine: Engine, _ request: GenerationRequest) throws
        -> (ttft: Double, result: GenerationResult) {
        let first = Mutex<Double?>(nil)
        let start = MonotonicClock.nowMs()
        let result = try engine.run(request) {
            first.withLock { if $0 == nil { $0 = MonotonicClock.nowMs() } }
        }
        return ((first.withLock { $0 } ?? MonotonicClock.nowMs()) - start, result)
    }
}
