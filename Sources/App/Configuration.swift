import Foundation
import Generation
import HTTP
import Llama

/// Every server setting with its default (their meanings: `Settings.all`). Defaults of the
/// engine and HTTP settings come from `Engine.EngineConfig.standard` and `HTTPServerConfig()`.
/// Precedence, lowest first: defaults < config file < `KVSERVE_*` environment < command-line flags.
public struct Configuration: Equatable, Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var model = ModelCatalog.defaultName  // a name from ModelCatalog or a file path
    public var contextLength = 0          // 0: the model's own context length
    public var threads = 2
    public var maxConnections = HTTPServerConfig().maxConnections
    public var maxHeaderBytes = HTTPServerConfig().maxHeaderBytes
    public var maxBodyBytes = HTTPServerConfig().maxBodyBytes
    public var headerTimeoutSeconds = HTTPServerConfig().headerTimeout
    public var bodyTimeoutSeconds = HTTPServerConfig().bodyTimeout
    public var idleTimeoutSeconds = HTTPServerConfig().idleTimeout
    public var queueSize = Engine.EngineConfig.standard.queueSize
    public var maxBatch = Engine.EngineConfig.standard.maxBatch
    public var batchTokenBudget = Engine.EngineConfig.standard.batchTokenBudget  // 0: prompts prefilled in forwards of their own
    public var stepTimeMs = Int(Engine.EngineConfig.standard.stepTimeMs)  // 0: the fixed token budget alone
    public var tlsCertificate = ""
    public var tlsKey = ""
    public var stateDirectory = "~/.local/state/kvserve"  // empty: sessions live in memory only
    public var kvBudgetMB = Engine.EngineConfig.standard.kvBudgetBytes >> 20
    public var kvCacheType = Engine.EngineConfig.standard.kvCacheType.rawValue  // f16, q8_0 or f32
    public var sessionTTLSeconds = Engine.EngineConfig.standard.sessionTTL
    public var shutdownGraceSeconds = 10.0
    public var logLevel = "info"
    public var corsOrigins: [String] = []  // empty: no CORS headers; "*": any origin
    public var metrics = true              // serve GET /metrics
    public var apiKeys: [String] = []     // empty: no key needed; never logged
    public var logFormat = "text"
    public var speculative = Engine.EngineConfig.standard.speculative.rawValue  // ngram or off
    public var replicaID = ""             // empty: the host name

    public init() {}

    /// Applies one setting given as text (from the environment or a flag) or as a JSON value.
    mutating func set(_ key: String, _ value: Any, source: String) throws {
        func fail(_ expected: String) -> ConfigurationError {
            .badValue(key: key, value: "\(value)", expected: expected, source: source)
        }
        func int(_ range: ClosedRange<Int>) throws -> Int {
            let parsed: Int?
            if let text = value as? String { parsed = Int(text) } else { parsed = Self.exactInt(value) }
            guard let number = parsed, range.contains(number) else { throw fail("an integer in \(range)") }
            return number
        }
        func seconds() throws -> Double {
            let parsed: Double?
            if let text = value as? String { parsed = Double(text) } else { parsed = Self.number(value) }
            guard let number = parsed, number > 0, number <= 86_400 * 365 else { throw fail("seconds > 0") }
            return number
        }
        func text() throws -> String {
            guard let string = value as? String else { throw fail("a string") }
            return string
        }
        switch key {
        case "host": host = try text(); if host.isEmpty { throw fail("a host name or address") }
        case "port": port = try int(0...65535)
        case "model": model = try text(); if model.isEmpty { throw fail("a model name or a file path") }
        case "context_length": contextLength = try int(0...1_048_576)
        case "threads": threads = try int(0...256)
        case "max_connections": maxConnections = try int(1...100_000)
        case "max_header_bytes": maxHeaderBytes = try int(1024...1_048_576)
        case "max_body_bytes": maxBodyBytes = try int(1024...1_073_741_824)
        case "header_timeout_s": headerTimeoutSeconds = try seconds()
        case "body_timeout_s": bodyTimeoutSeconds = try seconds()
        case "idle_timeout_s": idleTimeoutSeconds = try seconds()
        case "queue_size": queueSize = try int(1...10_000)
        case "max_batch": maxBatch = try int(1...256)
        case "batch_token_budget": batchTokenBudget = try int(0...4096)
        case "step_time_ms": stepTimeMs = try int(0...60_000)
        case "tls_cert": tlsCertificate = try text()
        case "tls_key": tlsKey = try text()
        case "state_dir": stateDirectory = try text()
        case "kv_budget_mb": kvBudgetMB = try int(1...1_048_576)
        case "kv_cache_type":
            let type = try text()
            guard KVCacheType(rawValue: type) != nil else { throw fail("one of f16, q8_0, f32") }
            kvCacheType = type
        case "session_ttl_s": sessionTTLSeconds = try seconds()
        case "shutdown_grace_s": shutdownGraceSeconds = try seconds()
        case "log_level":
            let level = try text()
            guard LogLevel(rawValue: level) != nil else { throw fail("one of debug, info, warning, error") }
            logLevel = level
        case "log_format":
            let format = try text()
            guard LogFormat(rawValue: format) != nil else { throw fail("text or json") }
            logFormat = format
        case "replica_id": replicaID = try text()
        case "cors_origins": corsOrigins = try Self.origins(value, fail: fail("a list of origins such as https://app.example or *"))
        case "metrics":
            if let flag = value as? Bool { metrics = flag; break }
            guard let text = value as? String, ["true", "false"].contains(text) else { throw fail("true or false") }
            metrics = text == "true"
        case "api_keys":
            // A JSON list in the file; comma-separated text from the environment or a flag.
            let list = (value as? String).map { $0.split(separator: ",").map(String.init) } ?? (value as? [Any])?.compactMap { $0 as? String }
            guard let list, (value as? [Any]).map({ $0.count == list.count }) ?? true else {
                throw ConfigurationError.badValue(key: key, value: "(not shown)", expected: "a list of strings", source: source)
            }
            apiKeys = list.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "speculative":
            let mode = try text()
            guard SpeculativeMode(rawValue: mode) != nil else { throw fail("ngram or off") }
            speculative = mode
        default: throw ConfigurationError.unknownKey(key: key, source: source)
        }
    }

    /// A JSON list of strings, or text separated by commas (environment, flags). Each is "*"
    /// or scheme://host[:port] as a browser sends it in `Origin`.
    static func origins(_ value: Any, fail: ConfigurationError) throws -> [String] {
        let items: [String]
        if let text = value as? String {
            items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } else if let list = value as? [Any], let strings = list as? [String] {
            items = strings
        } else {
            throw fail
        }
        for item in items where item != "*" {
            guard let url = URL(string: item), let scheme = url.scheme, ["http", "https"].contains(scheme.lowercased()),
                  url.host != nil, url.path.isEmpty || url.path == "/", url.query == nil else { throw fail }
        }
        return items
    }

    /// JSON numbers arrive as NSNumber; a Bool is an NSNumber too, and must not pass as 1.
    static func number(_ value: Any) -> Double? {
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        return number.doubleValue
    }

    static func exactInt(_ value: Any) -> Int? {
        guard let double = number(value), double.rounded() == double, abs(double) < 1e15 else { return nil }
        return Int(double)
    }

    /// `replica_id`, or the host name when it is empty.
    var resolvedReplicaID: String { replicaID.isEmpty ? ProcessInfo.processInfo.hostName : replicaID }

    /// Checks settings that depend on each other.
    func validate() throws {
        if tlsCertificate.isEmpty != tlsKey.isEmpty {
            throw ConfigurationError.badValue(key: "tls_cert/tls_key", value: "only one set",
                                              expected: "both or neither", source: "configuration")
        }
    }
}

public enum ConfigurationError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case unknownKey(key: String, source: String)
    case badValue(key: String, value: String, expected: String, source: String)
    case badArgument(String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read config file \(path): \(reason)"
        case let .unknownKey(key, source): return "unknown setting '\(key)' in \(source)"
        case let .badValue(key, value, expected, source):
            return "bad value '\(value)' for '\(key)' in \(source): expected \(expected)"
        case let .badArgument(message): return message
        }
    }
}
