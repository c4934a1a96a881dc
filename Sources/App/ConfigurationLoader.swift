import Foundation

/// Builds a `Configuration` from the file, the environment and the flags, in that order.
enum ConfigurationLoader {
    static let defaultFile = "config/kvserve.json"

    /// `flags` are `serve`'s arguments: `--config PATH` and `--<key> VALUE` for every config key.
    static func load(flags: [String], environment: [String: String]) throws -> Configuration {
        var options = try parseFlags(flags)
        var config = Configuration()
        let explicitFile = options.removeValue(forKey: "config") ?? environment["KVSERVE_CONFIG"]
        let file = explicitFile ?? defaultFile
        if explicitFile != nil || FileManager.default.fileExists(atPath: file) {
            try apply(file: file, to: &config)
        }
        for key in Configuration.keys {
            if let value = environment["KVSERVE_" + key.uppercased()] {
                try config.set(key, value, source: "environment variable KVSERVE_\(key.uppercased())")
            }
        }
        for (key, value) in options.sorted(by: { $0.key < $1.key }) {
            try config.set(key, value, source: "flag --\(key.replacingOccurrences(of: "_", with: "-"))")
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

    /// Serve's flags: `--config` and every config key.
    static func parseFlags(_ arguments: [String]) throws -> [String: String] {
        let options = try CommandLineFlags.parse(arguments)
        try CommandLineFlags.rejectUnknown(options.filter { $0.key != "config" && !Configuration.keys.contains($0.key) })
        return options
    }
}
