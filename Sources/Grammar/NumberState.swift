/// The JSON number syntax (RFC 8259 section 6) as a small automaton:
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. Digit runs are capped so a model
/// cannot emit an endless number; integers never take the fraction or exponent.
enum NumberState: UInt64 {
    case start, minus, zero, integer, dot, fraction, exponentMark, exponentSign, exponent

    static let maxIntegerDigits: Int32 = 15
    static let maxFractionDigits: Int32 = 15
    static let maxExponentDigits: Int32 = 3

    /// A number may end here (the next byte then belongs to the enclosing value).
    var isAccepting: Bool {
        self == .zero || self == .integer || self == .fraction || self == .exponent
    }

    /// The state and digit count after `byte`, or nil if `byte` does not continue the number.
    func next(_ byte: UInt8, digits: Int32, integerOnly: Bool) -> (NumberState, Int32)? {
        let digit = ByteClass.isDigit(byte)
        let fractionOK = !integerOnly && byte == UInt8(ascii: ".")
        let exponentOK = !integerOnly && (byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E"))
        switch self {
        case .start:
            if byte == UInt8(ascii: "-") { return (.minus, 0) }
            fallthrough
        case .minus:
            if byte == UInt8(ascii: "0") { return (.zero, 1) }
            return digit ? (.integer, 1) : nil
        case .zero:
            return fractionOK ? (.dot, 0) : exponentOK ? (.exponentMark, 0) : nil
        case .integer:
            if digit { return digits < Self.maxIntegerDigits ? (.integer, digits + 1) : nil }
            return fractionOK ? (.dot, 0) : exponentOK ? (.exponentMark, 0) : nil
        case .dot:
            return digit ? (.fraction, 1) : nil
        case .fraction:
            if digit { return digits < Self.maxFractionDigits ? (.fraction, digits + 1) : nil }
            return exponentOK ? (.exponentMark, 0) : nil
        case .exponentMark:
            if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { return (.exponentSign, 0) }
            return digit ? (.exponent, 1) : nil
        case .exponentSign:
            return digit ? (.exponent, 1) : nil
        case .exponent:
            return digit && digits < Self.maxExponentDigits ? (.exponent, digits + 1) : nil
        }
    }
}
