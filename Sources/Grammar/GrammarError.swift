/// Why a schema cannot be compiled. Every case names the schema location (a JSON pointer
/// such as `#/properties/tags/items`) so the API can answer 400 with something actionable.
public enum GrammarError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A JSON Schema keyword the grammar does not enforce (so an output could violate it).
    case unsupportedKeyword(String, at: String)
    /// The schema itself is malformed (wrong type for a keyword, empty enum, unknown $ref...).
    case invalidSchema(String, at: String)

    public var description: String {
        switch self {
        case let .unsupportedKeyword(keyword, at):
            return "unsupported JSON Schema keyword \"\(keyword)\" at \(at)"
        case let .invalidSchema(message, at):
            return "invalid JSON Schema at \(at): \(message)"
        }
    }
}
