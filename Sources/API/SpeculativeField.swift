import Generation

extension FieldReader {
    /// The kvserve extension field `speculative`: "ngram" or "off" (`SpeculativeMode`);
    /// absent = the server's `speculative` setting.
    func speculativeMode() throws -> SpeculativeMode? {
        guard let text = try string("speculative") else { return nil }
        guard let mode = SpeculativeMode(rawValue: text) else {
            let allowed = SpeculativeMode.allCases.map(\.rawValue).joined(separator: " or ")
            throw APIError.invalid("speculative", "speculative must be \(allowed), got \"\(text)\"")
        }
        return mode
    }
}
