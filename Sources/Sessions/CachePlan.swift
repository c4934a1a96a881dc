/// How to bring a cache holding `cached` tokens to the state "all of `prompt` but its last
/// tokens, ready to prefill the rest". A pure function of the two token lists, so it is
/// tested without the model.
public enum CachePlan: Equatable, Sendable {
    /// Keep the whole cache; prefill `prompt[suffixFrom...]`.
    case append(suffixFrom: Int)
    /// Cut the cache to its first `to` tokens (the common prefix); prefill `prompt[to...]`.
    case truncate(to: Int)
    /// Nothing reusable: empty the cache and prefill the whole prompt.
    case rebuild

    public static func make(cached: [Int32], prompt: [Int32]) -> CachePlan {
        make(cached: cached[...], prompt: prompt[...])
    }

    public static func make(cached: ArraySlice<Int32>, prompt: ArraySlice<Int32>) -> CachePlan {
        var common = 0
        var c = cached.startIndex
        var p = prompt.startIndex
        while c < cached.endIndex, p < prompt.endIndex, cached[c] == prompt[p] {
            common += 1
            c += 1
            p += 1
        }
        // At least one token must be prefilled: its logits are what the first sample needs,
        // and the cache keeps no logits. So a prompt the cache fully covers re-runs its last token.
        common = min(common, max(prompt.count - 1, 0))
        if common == 0 { return .rebuild }
        if common == cached.count { return .append(suffixFrom: common) }
        return .truncate(to: common)
    }

    /// Number of prompt tokens whose KV entries are reused.
    public var reusedTokens: Int {
        switch self {
        case let .append(n): return n
        case let .truncate(n): return n
        case .rebuild: return 0
        }
    }
}
