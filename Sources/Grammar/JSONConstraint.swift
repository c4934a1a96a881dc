/// One request's structured-output constraint: the schema's state over the tokens accepted so
/// far. Used by the sampler in two steps: `allows` checks the one token it drew (cheap: a few
/// bytes through the automaton); only if that is refused does `allowedTokens` walk the trie.
/// Only the model worker touches it.
public final class JSONConstraint {
    public let schema: CompiledSchema
    let trie: TokenTrie
    let tokenBytes: (Int32) -> [UInt8]
    public private(set) var state: JSONMatcher
    /// The state after the token `allows` last accepted, so `advance` does not feed it twice.
    private var checked: (token: Int32, state: JSONMatcher)?

    public init(schema: CompiledSchema, trie: TokenTrie, tokenBytes: @escaping (Int32) -> [UInt8]) {
        self.schema = schema
        self.trie = trie
        self.tokenBytes = tokenBytes
        state = JSONMatcher(schema: schema)
    }

    public var isComplete: Bool { state.isComplete }
    public var mustEnd: Bool { state.mustEnd }

    public func isEndOfGeneration(_ token: Int32) -> Bool { trie.endOfGeneration.contains(token) }

    public func allows(_ token: Int32) -> Bool {
        if trie.endOfGeneration.contains(token) { return state.isComplete }
        guard token >= 0, Int(token) < trie.vocabularySize else { return false }
        let bytes = tokenBytes(token)
        guard !bytes.isEmpty, let next = state.fed(bytes) else { return false }
        checked = (token, next)
        return true
    }

    public func allowedTokens() -> [Int32] {
        trie.allowedTokens(state)
    }

    /// Moves past `token`; false if it is not allowed (the state is then unchanged).
    @discardableResult
    public func advance(_ token: Int32) -> Bool {
        if trie.endOfGeneration.contains(token) { return state.isComplete }
        if let checked, checked.token == token {
            state = checked.state
            self.checked = nil
            return true
        }
        guard let next = state.fed(tokenBytes(token)), !tokenBytes(token).isEmpty else { return false }
        state = next
        checked = nil
        return true
    }
}
