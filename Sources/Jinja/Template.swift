/// A parsed Jinja template. Parse once, render many times (rendering keeps no state here).
///
/// The subset of jinja2 that chat templates use, checked against jinja2 itself
/// (Tests/Fixtures/templates/jinja_cases.json):
/// - tags `{{ }}`, `{% %}`, `{# #}`, `-`/`+` whitespace control, trim_blocks, lstrip_blocks;
/// - statements if/elif/else, for (tuple targets, filtering `if`, `else`, `loop.*`,
///   break/continue), set (tuple, `ns.attr`, block set), macro, call/caller, generation;
/// - expressions: literals, lists, tuples, dicts, `.attr`, `[i]`, slices, calls with keyword
///   arguments, `+ - * / // % **`, `~`, comparisons (chained), `in`/`not in`, and/or/not,
///   `is [not] test`, `x if c else y`, filters;
/// - the filters, tests, string/dict methods and globals in Filters, TextFilters, Sequences,
///   Tests, Methods and Builtins. Values are Python's (ordered dicts); undefined is jinja2's
///   default `Undefined`. Not supported: template inheritance/includes, `{% filter %}`,
///   `{% raw %}`, recursive loops, `%` string formatting. Macros see the caller's variables
///   (jinja2 scopes them lexically), which only matters for templates that shadow names.
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
