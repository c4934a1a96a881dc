/// Lexical tokens: template text between tags, tag delimiters, and the expression tokens inside.
enum TokenKind: Equatable {
    case text(String)
    case blockBegin, blockEnd
    case varBegin, varEnd
    case name(String)
    case string(String)
    case int(Int)
    case double(Double)
    case op(String)
    case end
}

struct Token {
    var kind: TokenKind
    var line: Int
}
