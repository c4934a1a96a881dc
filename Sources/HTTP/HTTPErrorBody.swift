/// The error envelope every HTTP-level error uses:
/// `{"error": {"type": "...", "message": "...", "param": null}}`.
public enum HTTPErrorBody {
    public static func json(type: String, message: String, param: String? = nil) -> [UInt8] {
        let paramJSON = param.map(quoted) ?? "null"
        let text = "{\"error\": {\"type\": \(quoted(type)), \"message\": \(quoted(message)), "
            + "\"param\": \(paramJSON)}}"
        return Array(text.utf8)
    }

    /// The error type of `status`, from the one table (`ErrorTable`).
    public static func type(forStatus status: Int) -> String { ErrorTable.type(forStatus: status) }

    /// JSON string literal (RFC 8259 section 7): escapes quote, backslash and controls.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
