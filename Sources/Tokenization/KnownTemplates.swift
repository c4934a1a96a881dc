/// Chat templates we render natively, in canonical spelling (see `TemplateCanonicalizer`).
enum KnownTemplates {
    private static let systemMarker = "@@DEFAULT_SYSTEM@@"

    /// SmolLM2-Instruct's template; the system text varies between models of the family.
    private static let chatMLWithSystem = TemplateCanonicalizer.canonical(
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
        + "{{ '<|im_start|>system\\n\(systemMarker)<|im_end|>\\n' }}{% endif %}"
        + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
        + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")

    static let chatML = TemplateCanonicalizer.canonical(
        "{% for message in messages %}"
        + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
        + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")

    /// Meta-Llama-3-Instruct's template.
    static let llama3 = TemplateCanonicalizer.canonical(
        "{% set loop_messages = messages %}{% for message in loop_messages %}"
        + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
        + "+ message['content'] | trim + '<|eot_id|>' %}"
        + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
        + "{{ content }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}")

    /// The default system message if `canonical` is the SmolLM2-style template.
    static func defaultSystem(_ canonical: String) -> String? {
        // Compared as scalars: String's == and hasPrefix use canonical equivalence.
        let parts = chatMLWithSystem.components(separatedBy: systemMarker).map { Array($0.unicodeScalars) }
        let text = Array(canonical.unicodeScalars)
        guard parts.count == 2, text.count > parts[0].count + parts[1].count,
              text.starts(with: parts[0]), text.reversed().starts(with: parts[1].reversed()) else { return nil }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text[parts[0].count..<(text.count - parts[1].count)])
        let system = String(view)
        // Canonical literals are re-quoted with "'": a quote inside would mean we cut wrongly.
        return system.contains("'") ? nil : system
    }

    /// Jinja's `trim` filter is Python's `str.strip()`: removes leading/trailing characters
    /// for which `str.isspace()` holds (Unicode White_Space plus the separators U+001C...U+001F).
    static func jinjaTrim(_ s: String) -> String {
        func isSpace(_ c: Unicode.Scalar) -> Bool {
            c.properties.isWhitespace || (0x1C...0x1F).contains(c.value)
        }
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first...last])
        return String(view)
    }
}
