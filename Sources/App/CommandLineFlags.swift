/// `--name value`, `--name=value`, or a bare `--name` for the given switches; dashes in names
/// become underscores (`--max-tokens` is `max_tokens`). Which names are allowed is the caller's.
enum CommandLineFlags {
    static func parse(_ arguments: [String], switches: Set<String> = []) throws -> [String: String] {
        var options: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw ConfigurationError.badArgument("unexpected argument '\(argument)' (flags look like --port 8080)")
            }
            var name = String(argument.dropFirst(2))
            var value = "true"
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            } else if !switches.contains(name.replacingOccurrences(of: "-", with: "_")) {
                guard index + 1 < arguments.count else {
                    throw ConfigurationError.badArgument("flag \(argument) needs a value")
                }
                index += 1
                value = arguments[index]
            }
            options[name.replacingOccurrences(of: "-", with: "_")] = value
            index += 1
        }
        return options
    }

    /// Throws for the first of `leftovers`: the flags a command did not consume.
    static func rejectUnknown(_ leftovers: [String: String]) throws {
        if let unknown = leftovers.keys.sorted().first {
            throw ConfigurationError.badArgument("unknown flag --\(unknown.replacingOccurrences(of: "_", with: "-"))")
        }
    }
}
