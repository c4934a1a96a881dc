/// The state of a JSON document being generated under a `CompiledSchema`: the set of live
/// pushdown stacks (more than one while anyOf alternatives or optional properties are still
/// undecided). A value: feeding returns the next state or nil when the byte is not allowed.
public struct JSONMatcher: Sendable {
    let schema: CompiledSchema
    var stacks: [[Frame]]

    public init(schema: CompiledSchema) {
        self.schema = schema
        // No whitespace before the document: the value frame starts with its budget spent.
        stacks = [[Frame(.end, 0), Frame(.value, schema.root, a: Int32(schema.maxWhitespace))]]
    }

    public func fed(_ byte: UInt8) -> JSONMatcher? {
        var out: [[Frame]] = []
        for stack in stacks { schema.feed(stack, byte, into: &out) }
        if out.isEmpty { return nil }
        var next = self
        next.stacks = out.count > 1 ? Self.unique(out) : out
        return next
    }

    public func fed<Bytes: Sequence>(_ bytes: Bytes) -> JSONMatcher? where Bytes.Element == UInt8 {
        var state = self
        for b in bytes {
            guard let next = state.fed(b) else { return nil }
            state = next
        }
        return state
    }

    /// The bytes so far form a whole document (a number may still go on).
    public var isComplete: Bool {
        stacks.contains { stack in
            if stack.count == 1 { return stack[0].kind == .end }
            guard stack.count == 2, stack[1].kind == .number else { return false }
            return NumberState(rawValue: stack[1].m)?.isAccepting ?? false
        }
    }

    /// Complete and nothing may follow: the end-of-generation token is the only choice.
    public var mustEnd: Bool {
        stacks.allSatisfy { $0.count == 1 && $0[0].kind == .end }
    }

    struct OpenString {
        var count: Int
        var minLength: Int
        var maxLength: Int
        var counts: Bool
    }

    /// Inside a string with no escape or UTF-8 sequence open (one live stack): until the
    /// closing quote only the string's own small state changes (the trie walk relies on it).
    var openString: OpenString? {
        guard stacks.count == 1, let top = stacks[0].last, top.kind == .string, top.m == 0,
              case let .string(minLength, maxLength) = schema.rules[Int(top.rule)] else { return nil }
        return OpenString(count: Int(top.b), minLength: minLength, maxLength: maxLength,
                          counts: schema.countsCharacters(Int(top.rule)))
    }

    /// This state with the open string's length set to `count` (see `openString`).
    func withStringLength(_ count: Int) -> JSONMatcher {
        var copy = self
        copy.stacks[0][copy.stacks[0].count - 1].b = Int32(count)
        return copy
    }

    private static func unique(_ stacks: [[Frame]]) -> [[Frame]] {
        var seen = Set<[Frame]>()
        return stacks.filter { seen.insert($0).inserted }
    }
}
