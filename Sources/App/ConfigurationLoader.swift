import Foundation

/// Builds a `Configuration` from the file, the environment and the flags, in that order.
enum ConfigurationLoader {
    static let defaultFile = "config/kvserve.json"

    /// `flags` maps setting keys to the text given on the command line; `file` is `--config`.
    static func load(flags: [String: String], file: String?, environment: [String: String]) throws -> Configuration {
        var config = Configuration()
        let explicitFile = file ?? environment["KVSERVE_CONFIG"]
        let path = explicitFile ?? defaultFile
        if explicitFile != nil || FileManager.default.fileExists(atPath: path) {
            try apply(file: path, to: &config)
        }
        for setting in Settings.all {
            if let value = environment[setting.environmentVariable] {
                try config.set(setting.key, value, source: "environment variable \(setting.environmentVariable)")
            }
        }
        for (key, value) in flags.sorted(by: { $0.key < $1.key }) {
            try config.set(key, value, source: "flag \(Settings.named(key)?.flag ?? key)")
        }
        try config.validate()
        return config
    }

    static func apply(file path: String, to config: inout Configuration) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError.unreadable(path: path, reason: "no such file or not readable")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ConfigurationError.unreadable(path: path, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let settings = object as? [String: Any] else {
            throw ConfigurationError.unreadable(path: path, reason: "the top level must be a JSON object")
        }
        // "_doc" holds the human-readable description of every key; it is not a setting.
        for (key, value) in settings.sorted(by: { $0.key < $1.key }) where key != "_doc" {
            try config.set(key, value, source: path)
        }
    }
}
