/// A parsed Jinja template. Parse once, render many times (rendering keeps no state here).
public struct Template: Sendable {
    public struct Options: Sendable {
        public var trimBlocks: Bool
        public var lstripBlocks: Bool

        public init(trimBlocks: Bool = false, lstripBlocks: Bool = false) {
            self.trimBlocks = trimBlocks
            self.lstripBlocks = lstripBlocks
        }

        /// What transformers' `apply_chat_template` uses.
        public static let chatTemplate = Options(trimBlocks: true, lstripBlocks: true)
    }

    let nodes: [Node]

    public init(_ source: String, options: Options = Options()) throws {
        let tokens = try Lexer.tokenize(source, options: .init(trimBlocks: options.trimBlocks,
                                                               lstripBlocks: options.lstripBlocks))
        nodes = try Parser.parse(tokens)
    }

    /// Renders with `context` as the global variables; the output keeps each run's origin.
    public func renderSegments(_ context: [String: Value]) throws -> [Segment] {
        let renderer = Renderer(globals: context)
        var out = JText(segments: [])
        try renderer.run(nodes, into: &out)
        return out.segments
    }

    public func render(_ context: [String: Value]) throws -> String {
        try renderSegments(context).map(\.text).joined()
    }

    /// Whether the template reads the variable `name` anywhere (e.g. `tools`).
    public func references(_ name: String) -> Bool {
        nodes.contains { $0.references(name) }
    }
}
