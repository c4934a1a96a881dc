import XCTest
@testable import Llama

/// Cache-correctness properties, run on the tiny random model and on the default model.
///
/// `tolerance` is an absolute bound on logit differences between two computations of the
/// same positions. They differ only in which kernel path runs (matvec for one token,
/// matmul for several; attention over the same cached K/V), so any gap is f32 summation
/// order, far below the quantization error; callers pass a bound with that in mind.
struct CacheChecks {
    let model: LlamaModel
    let tolerance: Float
    let tokens: [Int32]
    /// Element type of every cache the checks make.
    var type: KVCacheType = .f16
    var vocab: Int { model.config.vocab }

    /// Logits of every position of `seq`, computed by one prefill on a fresh cache.
    func fresh(_ seq: [Int32]) throws -> [Float] {
        var cache = model.makeCache(type: type)
        return try model.forward(seq, cache: &cache, allLogits: true)
    }

    func row(_ all: [Float], _ i: Int) -> ArraySlice<Float> { all[(i * vocab)..<((i + 1) * vocab)] }

    /// Decoding with the cache equals the no-cache baseline (full recompute per token).
    func cacheEqualsRecompute(file: StaticString = #filePath, line: UInt = #line) throws {
        var cache = model.makeCache(type: type)
        var logits = try model.forward(Array(tokens[0..<3]), cache: &cache)
        for i in 3..<tokens.count {
            var scratch = model.makeCache(type: type)
            let baseline = try model.forward(Array(tokens[0..<i]), cache: &scratch)
            let d = maxAbsDiff(logits, baseline)
            XCTAssertLessThanOrEqual(d, tolerance, "position \(i - 1): cached vs recomputed", file: file, line: line)
            XCTAssertEqual(argmax(logits[...]), argmax(baseline[...]), file: file, line: line)
            logits = try model.forward([tokens[i]], cache: &cache)
        }
        XCTAssertEqual(cache.count, tokens.count)
    }

    /// One prefill equals the same prompt prefilled in uneven chunks.
    func chunkedPrefill(chunks: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let whole = try fresh(tokens)
        var cache = model.makeCache(type: type)
        var pieces: [Float] = []
        var at = 0
        for size in chunks + [tokens.count - chunks.reduce(0, +)] where size > 0 {
            XCTAssertEqual(cache.count, at)
            pieces += try model.forward(Array(tokens[at..<at + size]), cache: &cache, allLogits: true)
            at += size
        }
        XCTAssertEqual(cache.count, tokens.count)
        XCTAssertLessThanOrEqual(maxAbsDiff(whole, pieces), tolerance, "chunked vs one prefill", file: file, line: line)
    }

    /// Several new tokens on a non-empty cache (start > 0) equal running everything from scratch:
    /// checks the RoPE start position and the offset causal mask.
    func continuation(split: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let whole = try fresh(tokens)
        var cache = model.makeCache(type: type)
        _ = try model.forward(Array(tokens[0..<split]), cache: &cache)
        let tail = try model.forward(Array(tokens[split...]), cache: &cache, allLogits: true)
        for (j, i) in (split..<tokens.count).enumerated() {
            let d = maxAbsDiff(row(tail, j), row(whole, i))
            XCTAssertLessThanOrEqual(d, tolerance, "position \(i) after a cache of \(split)", file: file, line: line)
        }
    }

    /// truncate(to:) then a different continuation equals a fresh run of prefix + continuation.
    func truncateThenForward(keep: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        var cache = model.makeCache(type: type)
        _ = try model.forward(tokens, cache: &cache)
        cache.truncate(to: keep)
        XCTAssertEqual(cache.count, keep)
        let other: [Int32] = tokens[keep...].reversed()
        let got = try model.forward(other, cache: &cache)
        var freshCache = model.makeCache(type: type)
        let want = try model.forward(Array(tokens[0..<keep]) + other, cache: &freshCache)
        XCTAssertLessThanOrEqual(maxAbsDiff(got, want), tolerance, "truncated cache", file: file, line: line)
    }

    /// Serialize two token ranges, rebuild a cache from them, and continue identically.
    func serializationRoundTrip(split: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        var cache = model.makeCache(type: type)
        _ = try model.forward(Array(tokens[0..<split]), cache: &cache)
        _ = try model.forward(Array(tokens[split..<(tokens.count - 1)]), cache: &cache)
        let first = cache.serialized(tokens: 0..<split)
        let second = cache.serialized(tokens: split..<cache.count)
        var rebuilt = model.makeCache(type: type)
        try rebuilt.appendSerialized(first, tokenCount: split)
        try rebuilt.appendSerialized(second, tokenCount: cache.count - split)
        XCTAssertEqual(rebuilt.count, cache.count)
        XCTAssertEqual(rebuilt.byteCount, cache.byteCount)
        XCTAssertEqual(rebuilt.serialized(tokens: 0..<rebuilt.count), cache.serialized(tokens: 0..<cache.count), file: file, line: line)
        let last = [tokens[tokens.count - 1]]
        let a = try model.forward(last, cache: &cache)
        let b = try model.forward(last, cache: &rebuilt)
        XCTAssertEqual(a, b, "same cached bytes and same input must give bit-identical logits", file: file, line: line)
    }

    /// A copy is a snapshot: running forward on the copy leaves the original untouched.
    func valueSemantics(file: StaticString = #filePath, line: UInt = #line) throws {
        var cache = model.makeCache(type: type)
        _ = try model.forward(Array(tokens[0..<4]), cache: &cache)
        let before = cache.serialized(tokens: 0..<cache.count)
        var copy = cache
        copy.truncate(to: 2)
        _ = try model.forward(Array(tokens[4..<8]), cache: &copy)
        XCTAssertEqual(cache.count, 4)
        XCTAssertEqual(copy.count, 6)
        XCTAssertEqual(cache.serialized(tokens: 0..<cache.count), before, "original changed by a write to its copy", file: file, line: line)
    }
}
