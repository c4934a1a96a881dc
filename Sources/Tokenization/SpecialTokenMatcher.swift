/// Finds special-token strings in UTF-8 text, longest match first at each position (so
/// "<|im_start|>" wins over a shorter special that is its prefix).
///
/// As in llama.cpp (and HF tokenizers' added tokens), user-defined tokens are always matched,
/// even in text that must not contain control tokens: Gemma spells "\n", runs of spaces and
/// tabs, and HTML tags as user-defined tokens, and the reference tokenizes them so in every
/// text. Control and unknown tokens are matched only when the caller asks for them.
/// A byte trie keeps this cheap with thousands of specials (Gemma has 6,400, most "<unused…>").
struct SpecialTokenMatcher: Sendable {
    enum Segment: Equatable {
        case text(ArraySlice<UInt8>)
        case special(Int32)
    }

    private struct Node: Sendable {
        var children: [(byte: UInt8, node: Int32)] = []
        /// Token ending here, -1 if none.
        var id: Int32 = -1
        var alwaysMatched = false
    }

    private var nodes: [Node] = [Node()]
    /// Child of the root per first byte (-1: no special starts with it); the common case.
    private var rootChild = [Int32](repeating: -1, count: 256)

    /// - Parameter specials: (text, id, alwaysMatched); the first entry wins on equal texts.
    init(specials: [(String, Int32, Bool)]) {
        for (text, id, always) in specials where !text.isEmpty {
            var node = 0
            for (depth, byte) in text.utf8.enumerated() {
                node = child(of: node, byte, isRoot: depth == 0)
            }
            if nodes[node].id < 0 {
                nodes[node].id = id
                nodes[node].alwaysMatched = always
            }
        }
    }

    private mutating func child(of node: Int, _ byte: UInt8, isRoot: Bool) -> Int {
        if isRoot, rootChild[Int(byte)] >= 0 { return Int(rootChild[Int(byte)]) }
        if !isRoot, let hit = nodes[node].children.first(where: { $0.byte == byte }) { return Int(hit.node) }
        nodes.append(Node())
        let new = Int32(nodes.count - 1)
        if isRoot { rootChild[Int(byte)] = new } else { nodes[node].children.append((byte, new)) }
        return Int(new)
    }

    /// - Parameter control: also match control and unknown tokens.
    func split(_ utf8: [UInt8], control: Bool) -> [Segment] {
        var out: [Segment] = []
        var textStart = 0
        var i = 0
        while i < utf8.count {
            guard let (id, length) = longestMatch(utf8, at: i, control: control) else {
                i += 1
                continue
            }
            if textStart < i { out.append(.text(utf8[textStart..<i])) }
            out.append(.special(id))
            i += length
            textStart = i
        }
        if textStart < utf8.count { out.append(.text(utf8[textStart..<utf8.count])) }
        return out
    }

    private func longestMatch(_ utf8: [UInt8], at start: Int, control: Bool) -> (Int32, Int)? {
        var node = Int(rootChild[Int(utf8[start])])
        var i = start + 1
        var best: (Int32, Int)?
        while node >= 0 {
            let n = nodes[node]
            if n.id >= 0 && (control || n.alwaysMatched) { best = (n.id, i - start) }
            guard i < utf8.count, let hit = n.children.first(where: { $0.byte == utf8[i] }) else { break }
            node = Int(hit.node)
            i += 1
        }
        return best
    }
}
