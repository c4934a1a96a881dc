/// The vocabulary's token byte strings as a trie, built once per model: the allowed-token set
/// is found by walking only the branches the JSON state accepts byte by byte, so tokens that
/// share a rejected prefix are dismissed together. Nodes are stored as flat arrays
/// (first child / next sibling), node 0 the root.
public final class TokenTrie: Sendable {
    let byte: [UInt8]
    let firstChild: [Int32]
    let nextSibling: [Int32]
    /// The token whose bytes end at each node, or -1; `more` holds further ids with the same bytes.
    let token: [Int32]
    let more: [Int32: [Int32]]
    public let vocabularySize: Int
    public let endOfGeneration: Set<Int32>

    /// - Parameters:
    ///   - tokenBytes: bytes of every token id; nil or empty for tokens that never appear in
    ///     JSON text (control tokens, which are not text, and end-of-generation ones).
    ///   - endOfGeneration: ids allowed exactly when the document is complete.
    public init(tokenBytes: [[UInt8]?], endOfGeneration: Set<Int32>) {
        vocabularySize = tokenBytes.count
        self.endOfGeneration = endOfGeneration
        let ids = tokenBytes.indices.filter { !(tokenBytes[$0]?.isEmpty ?? true) && !endOfGeneration.contains(Int32($0)) }
        // Sorted byte strings: each one shares a prefix with the previous, so the trie is
        // built in one pass with the path of open nodes as a stack.
        let sorted = ids.sorted { tokenBytes[$0]!.lexicographicallyPrecedes(tokenBytes[$1]!) }
        var byte: [UInt8] = [0], firstChild: [Int32] = [-1], nextSibling: [Int32] = [-1], token: [Int32] = [-1]
        var lastChild: [Int32] = [-1]
        var more: [Int32: [Int32]] = [:]
        var path: [Int32] = [0]  // path[d] = node for the first d bytes of the previous token
        var previous: [UInt8] = []
        for id in sorted {
            let bytes = tokenBytes[id]!
            var common = 0
            while common < min(bytes.count, previous.count) && bytes[common] == previous[common] { common += 1 }
            path.removeSubrange((common + 1)...)
            for b in bytes[common...] {
                let parent = path[path.count - 1]
                let node = Int32(byte.count)
                byte.append(b); firstChild.append(-1); nextSibling.append(-1); token.append(-1); lastChild.append(-1)
                if lastChild[Int(parent)] >= 0 { nextSibling[Int(lastChild[Int(parent)])] = node } else { firstChild[Int(parent)] = node }
                lastChild[Int(parent)] = node
                path.append(node)
            }
            let end = Int(path[path.count - 1])
            if token[end] < 0 { token[end] = Int32(id) } else { more[token[end], default: []].append(Int32(id)) }
            previous = bytes
        }
        self.byte = byte
        self.firstChild = firstChild
        self.nextSibling = nextSibling
        self.token = token
        self.more = more
    }

    public var nodeCount: Int { byte.count }

    /// Every token id whose bytes `state` accepts, plus the end-of-generation ids when the
    /// document is complete.
    public func allowedTokens(_ state: JSONMatcher) -> [Int32] {
        var out: [Int32] = []
        walk(0, state, into: &out)
        if state.isComplete { out.append(contentsOf: endOfGeneration.sorted()) }
        return out
    }

    private func walk(_ node: Int32, _ state: JSONMatcher, into out: inout [Int32]) {
        if let string = state.openString {
            return walkString(node, StringState(), count: string.count, string, state, into: &out)
        }
        var child = firstChild[Int(node)]
        while child >= 0 {
            let c = Int(child)
            if let next = state.fed(byte[c]) {
                emit(c, into: &out)
                if firstChild[c] >= 0 { walk(child, next, into: &out) }
            }
            child = nextSibling[c]
        }
    }

    /// Inside a string only the string's own escape / UTF-8 state and length change until the
    /// closing quote; with the string back in plain mode the whole state is `base` with another
    /// length. So the walk carries those small values instead of feeding (and copying) the
    /// full state, and rebuilds it only at a closing quote.
    private func walkString(_ node: Int32, _ string: StringState, count: Int, _ bounds: JSONMatcher.OpenString,
                            _ base: JSONMatcher, into out: inout [Int32]) {
        var child = firstChild[Int(node)]
        while child >= 0 {
            let c = Int(child)
            if string.mode == .plain && byte[c] == ByteClass.quote {
                if count >= bounds.minLength, let next = base.withStringLength(count).fed(byte[c]) {
                    emit(c, into: &out)
                    if firstChild[c] >= 0 { walk(child, next, into: &out) }
                }
            } else {
                var next = string
                var length = count
                switch next.feed(byte[c]) {
                case .reject, .close: length = -1
                case .character: length = bounds.counts ? (count < bounds.maxLength ? count + 1 : -1) : count
                case .same: break
                }
                if length >= 0 {
                    emit(c, into: &out)
                    if firstChild[c] >= 0 { walkString(child, next, count: length, bounds, base, into: &out) }
                }
            }
            child = nextSibling[c]
        }
    }

    private func emit(_ node: Int, into out: inout [Int32]) {
        guard token[node] >= 0 else { return }
        out.append(token[node])
        if let same = more[token[node]] { out.append(contentsOf: same) }
    }
}
