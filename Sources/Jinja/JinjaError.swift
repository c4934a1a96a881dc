/// A template that cannot be parsed or rendered; `line` is the template line (1-based).
public struct JinjaError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case syntax
        case render
        /// The template called `raise_exception(message)`.
        case raised
    }

    public var kind: Kind
    public var message: String
    public var line: Int

    public init(_ kind: Kind, _ message: String, line: Int) {
        self.kind = kind
        self.message = message
        self.line = line
    }

    public var description: String {
        switch kind {
        case .syntax: return "template syntax error, line \(line): \(message)"
        case .render: return "template error, line \(line): \(message)"
        case .raised: return "template raised an exception, line \(line): \(message)"
        }
    }
}

/// Thrown inside evaluation before the line is known; the statement that ran it adds its line.
struct EvalError: Error {
    var message: String
    var raised = false
}
