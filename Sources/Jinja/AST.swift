/// Parsed template: statements (`Node`) and expressions (`Expr`). Immutable, so one parsed
/// template renders many times, from any thread.
indirect enum Expr: Sendable {
    case literal(Value)
    case name(String)
    case list([Expr])
    case tuple([Expr])
    case dict([(Expr, Expr)])
    case attribute(Expr, String)
    case index(Expr, Expr)
    case slice(Expr, start: Expr?, stop: Expr?, step: Expr?)
    case call(Expr, Arguments)
    case filter(Expr, String, Arguments)
    case test(Expr, String, Arguments, negated: Bool)
    case unary(String, Expr)
    case binary(String, Expr, Expr)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case not(Expr)
    /// `a < b < c`: each operator with its right operand.
    case compare(Expr, [(String, Expr)])
    case conditional(then: Expr, condition: Expr, otherwise: Expr?)
}

struct Arguments: Sendable {
    var positional: [Expr] = []
    var keyword: [(String, Expr)] = []
}

indirect enum Node: Sendable {
    case text(String, line: Int)
    case output(Expr, line: Int)
    case ifChain([(Expr, [Node])], otherwise: [Node], line: Int)
    case forLoop(ForLoop)
    case set(SetTarget, Expr, line: Int)
    case setBlock(SetTarget, [Node], line: Int)
    case macro(Macro)
    case callBlock(call: Expr, caller: Macro, line: Int)
    case loopBreak(line: Int)
    case loopContinue(line: Int)
    /// transformers' `{% generation %}` marker: renders its body unchanged.
    case passthrough([Node])
}

enum SetTarget: Sendable {
    case names([String])
    case attribute(String, String)
}

struct ForLoop: Sendable {
    var targets: [String]
    var iterable: Expr
    var condition: Expr?
    var body: [Node]
    var otherwise: [Node]
    var line: Int
}

struct Macro: Sendable {
    var name: String
    var parameters: [(String, Expr?)]
    var body: [Node]
    var line: Int
}
