import API
/// One server setting: its key in config/kvserve.json, what it means, and its default.
/// `Settings.all` is the single source for `serve --help`, `kvserve config` (which
/// config/kvserve.json equals, checked by a test) and the keys the loader accepts.
struct Setting: Sendable {
    let key: String
    let meaning: String
    /// Reads this setting's value; applied to `Configuration()` it gives the default.
    let read: @Sendable (Configuration) -> SettingValue

    /// The command-line flag: dashes for underscores (`--max-body-bytes`).
    var flag: String { "--" + key.replacingOccurrences(of: "_", with: "-") }
    /// The environment variable that overrides the file (`KVSERVE_MAX_BODY_BYTES`).
    var environmentVariable: String { "KVSERVE_" + key.uppercased() }
    var defaultValue: SettingValue { read(Configuration()) }
    /// The help text of the flag: meaning plus default.
    var help: String { "\(meaning) (default: \(defaultValue.display))" }
}

enum SettingValue: Equatable, Sendable {
    case text(String)
    case integer(Int)
    case seconds(Double)
    case flag(Bool)
    case list([String])

    /// As written in the config file.
    var json: String {
        switch self {
        case .text(let string): return JSONText.quoted(string)
        case .integer(let number): return String(number)
        case .seconds(let number):
            return number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .flag(let value): return value ? "true" : "false"
        case .list(let items): return "[" + items.map(JSONText.quoted).joined(separator: ", ") + "]"
        }
    }

    /// As shown in help: strings unquoted, the empty string as "".
    var display: String {
        if case .text(let string) = self { return string.isEmpty ? "\"\"" : string }
        if case .list(let items) = self { return items.isEmpty ? "none" : items.joined(separator: ",") }
        return json
    }
}

enum Settings {
    static let all: [Setting] = [
        Setting(key: "host", meaning: "Address to listen on. 127.0.0.1 for local use, 0.0.0.0 (IPv4) or :: (IPv4 and IPv6) to serve others.") { .text($0.host) },
        Setting(key: "port", meaning: "TCP port (0 picks a free one and logs it).") { .integer($0.port) },
        Setting(key: "model", meaning: "A known model name (\(ModelCatalog.names.joined(separator: ", "))), looked up in KVSERVE_MODEL_DIR or ~/.cache/kvserve where scripts/fetch-model.sh NAME puts it, or the path of a GGUF file.") { .text($0.model) },
        Setting(key: "context_length", meaning: "Tokens of context per conversation. 0: the model's own.") { .integer($0.contextLength) },
        Setting(key: "threads", meaning: "Threads for the model's matrix products. 0: all cores.") { .integer($0.threads) },
        Setting(key: "max_connections", meaning: "Open connections at once; one more gets 503.") { .integer($0.maxConnections) },
        Setting(key: "max_header_bytes", meaning: "Largest request head (request line + headers); larger gets 431.") { .integer($0.maxHeaderBytes) },
        Setting(key: "max_body_bytes", meaning: "Largest request body; larger gets 413.") { .integer($0.maxBodyBytes) },
        Setting(key: "header_timeout_s", meaning: "Seconds to receive a request's head once it starts; slower gets 408.") { .seconds($0.headerTimeoutSeconds) },
        Setting(key: "body_timeout_s", meaning: "Seconds to receive a request's body; slower gets 408.") { .seconds($0.bodyTimeoutSeconds) },
        Setting(key: "idle_timeout_s", meaning: "Seconds an idle keep-alive connection stays open.") { .seconds($0.idleTimeoutSeconds) },
        Setting(key: "queue_size", meaning: "Generation requests waiting for the model; one more gets 503 with Retry-After.") { .integer($0.queueSize) },
        Setting(key: "max_batch", meaning: "Requests decoded together, one token each per step (continuous batching). 1 runs requests one at a time.") { .integer($0.maxBatch) },
        Setting(key: "batch_token_budget", meaning: "Tokens per model step: every running request's next token plus chunks of waiting prompts (shortest first), in one batched forward, so a long prompt delays the others by one step at most. 0: prompts are prefilled in forwards of their own, oldest first.") { .integer($0.batchTokenBudget) },
        Setting(key: "step_time_ms", meaning: "Step time to aim at while requests decode: the prompt chunks beside their tokens are sized from the measured cost of a step (within batch_token_budget), so a long prompt adds at most about this much to their gaps between tokens. A prompt prefilled while nobody decodes takes batch_token_budget tokens per step. 0: the fixed token budget alone.") { .integer($0.stepTimeMs) },
        Setting(key: "tls_cert", meaning: "PEM certificate file. With tls_key set too, the server speaks HTTPS (TLS 1.2 minimum).") { .text($0.tlsCertificate) },
        Setting(key: "tls_key", meaning: "PEM private key file for tls_cert.") { .text($0.tlsKey) },
        Setting(key: "state_dir", meaning: "Directory for session snapshots (a leading ~ is the home directory). Every completed turn is written there, so sessions survive eviction and restarts. Empty: sessions live in memory only.") { .text($0.stateDirectory) },
        Setting(key: "kv_cache_type", meaning: "Element type of the KV cache: f16 (half the bytes of f32), q8_0 (8-bit values with a scale per 32: about a quarter) or f32 (exact). Sessions saved under another type are converted when loaded.") { .text($0.kvCacheType) },
        Setting(key: "kv_budget_mb", meaning: "Memory budget for all sessions' KV caches, in MiB; idle sessions are evicted least recently used first.") { .integer($0.kvBudgetMB) },
        Setting(key: "session_ttl_s", meaning: "Seconds an idle session is kept before it expires.") { .seconds($0.sessionTTLSeconds) },
        Setting(key: "shutdown_grace_s", meaning: "On SIGTERM/SIGINT: seconds running streams may take to finish before the server exits.") { .seconds($0.shutdownGraceSeconds) },
        Setting(key: "log_level", meaning: "debug, info, warning or error.") { .text($0.logLevel) },
        Setting(key: "log_format", meaning: "text (one readable line per event) or json (one JSON object per line).") { .text($0.logFormat) },
        Setting(key: "cors_origins", meaning: "Web origins (scheme://host[:port]) whose pages may call the API from a browser, or \"*\" for any. Empty: no CORS headers. In the environment or a flag: comma-separated.") { .list($0.corsOrigins) },
        Setting(key: "metrics", meaning: "Serve Prometheus metrics at GET /metrics (true or false).") { .flag($0.metrics) },
        Setting(key: "api_keys", meaning: "API keys. When any is set, every route but /health needs Authorization: Bearer KEY (else 401), and sessions and stored responses belong to the key that made them. In the environment or a flag: comma-separated. Never logged.") { _ in .list([]) },
        Setting(key: "speculative", meaning: "Speculative decoding of requests that do not choose: ngram drafts tokens from the conversation's own text and verifies several per forward (same output, faster when text repeats), off decodes one token per forward.") { .text($0.speculative) },
        Setting(key: "replica_id", meaning: "This replica's name behind a load balancer: sent as X-Kvserve-Replica on every response and in /health. Empty: the host name.") { .text($0.replicaID) },
    ]

    static var keys: [String] { all.map(\.key) }

    static func named(_ key: String) -> Setting? { all.first { $0.key == key } }

    /// The help text for `key`'s flag; a key missing from the table is a programming error
    /// that the settings test catches, so it shows as such rather than crashing.
    static func help(_ key: String) -> String { named(key)?.help ?? "(undocumented setting \(key))" }

    /// The meaning alone, for flags whose default the argument parser shows itself.
    static func meaning(_ key: String) -> String { named(key)?.meaning ?? "(undocumented setting \(key))" }

    static let about = "kvserve's configuration. Every key below is shown with its default. Environment variables KVSERVE_<KEY> (e.g. KVSERVE_PORT) override this file, and `kvserve serve --<key> VALUE` flags (dashes for underscores, e.g. --max-body-bytes) override both. Unknown keys or bad values stop startup with a message naming them. `kvserve config` prints this file."

    /// The default configuration file, with every meaning under "_doc": what
    /// config/kvserve.json holds, byte for byte.
    static func defaultFile() -> String {
        var lines = ["{", "  \"_doc\": {", "    \"about\": \(JSONText.quoted(about)),"]
        for (index, setting) in all.enumerated() {
            let comma = index == all.count - 1 ? "" : ","
            lines.append("    \(JSONText.quoted(setting.key)): \(JSONText.quoted(setting.meaning))\(comma)")
        }
        lines.append("  },")
        for (index, setting) in all.enumerated() {
            let comma = index == all.count - 1 ? "" : ","
            lines.append("  \(JSONText.quoted(setting.key)): \(setting.defaultValue.json)\(comma)")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

enum JSONText {
    /// A JSON string literal (RFC 8259 section 7), escaped as every response body is.
    static func quoted(_ string: String) -> String { JSONWriter.string(.string(string)) }
}
