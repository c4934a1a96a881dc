import ArgumentParser

/// `--<setting> VALUE` for every entry of `Settings.all`, plus `--config FILE`. Values stay
/// text here and are checked by `Configuration.set`, the one place that validates a setting
/// whether it comes from the file, the environment or a flag; its errors name the flag.
struct ServeOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "Configuration file (JSON; `kvserve config` prints the defaults). Default: $KVSERVE_CONFIG, else config/kvserve.json when present.",
        valueName: "file"))
    var config: String?

    @Option(name: .customLong("host"), help: help("host", valueName: "address")) var host: String?
    @Option(name: .customLong("port"), help: help("port")) var port: String?
    @Option(name: .customLong("model"), help: help("model", valueName: "name|path")) var model: String?
    @Option(name: .customLong("context-length"), help: help("context_length")) var contextLength: String?
    @Option(name: .customLong("threads"), help: help("threads")) var threads: String?
    @Option(name: .customLong("max-connections"), help: help("max_connections")) var maxConnections: String?
    @Option(name: .customLong("max-header-bytes"), help: help("max_header_bytes")) var maxHeaderBytes: String?
    @Option(name: .customLong("max-body-bytes"), help: help("max_body_bytes")) var maxBodyBytes: String?
    @Option(name: .customLong("header-timeout-s"), help: help("header_timeout_s")) var headerTimeout: String?
    @Option(name: .customLong("body-timeout-s"), help: help("body_timeout_s")) var bodyTimeout: String?
    @Option(name: .customLong("idle-timeout-s"), help: help("idle_timeout_s")) var idleTimeout: String?
    @Option(name: .customLong("queue-size"), help: help("queue_size")) var queueSize: String?
    @Option(name: .customLong("max-batch"), help: help("max_batch")) var maxBatch: String?
    @Option(name: .customLong("batch-token-budget"), help: help("batch_token_budget")) var batchTokenBudget: String?
    @Option(name: .customLong("step-time-ms"), help: help("step_time_ms")) var stepTimeMs: String?
    @Option(name: .customLong("tls-cert"), help: help("tls_cert", valueName: "file")) var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: help("tls_key", valueName: "file")) var tlsKey: String?
    @Option(name: .customLong("state-dir"), help: help("state_dir", valueName: "dir")) var stateDir: String?
    @Option(name: .customLong("kv-budget-mb"), help: help("kv_budget_mb")) var kvBudgetMB: String?
    @Option(name: .customLong("kv-cache-type"), help: help("kv_cache_type", valueName: "f16|q8_0|f32")) var kvCacheType: String?
    @Option(name: .customLong("session-ttl-s"), help: help("session_ttl_s")) var sessionTTL: String?
    @Option(name: .customLong("shutdown-grace-s"), help: help("shutdown_grace_s")) var shutdownGrace: String?
    @Option(name: .customLong("log-level"), help: help("log_level", valueName: "level")) var logLevel: String?
    @Option(name: .customLong("log-format"), help: help("log_format", valueName: "text|json")) var logFormat: String?
    @Option(name: .customLong("cors-origins"), help: help("cors_origins", valueName: "origins")) var corsOrigins: String?
    @Option(name: .customLong("metrics"), help: help("metrics", valueName: "true|false")) var metrics: String?
    @Option(name: .customLong("api-keys"), help: help("api_keys", valueName: "keys")) var apiKeys: String?
    @Option(name: .customLong("speculative"), help: help("speculative", valueName: "ngram|off")) var speculative: String?
    @Option(name: .customLong("replica-id"), help: help("replica_id", valueName: "name")) var replicaID: String?

    /// The flags given, by setting key (a test checks every key of `Settings.all` is here).
    var givenSettings: [String: String] {
        let all: [(String, String?)] = [
            ("host", host), ("port", port), ("model", model), ("context_length", contextLength),
            ("threads", threads), ("max_connections", maxConnections), ("max_header_bytes", maxHeaderBytes),
            ("max_body_bytes", maxBodyBytes), ("header_timeout_s", headerTimeout), ("body_timeout_s", bodyTimeout),
            ("idle_timeout_s", idleTimeout), ("queue_size", queueSize), ("max_batch", maxBatch),
            ("tls_cert", tlsCert), ("tls_key", tlsKey), ("state_dir", stateDir), ("kv_budget_mb", kvBudgetMB),
            ("kv_cache_type", kvCacheType),
            ("session_ttl_s", sessionTTL), ("shutdown_grace_s", shutdownGrace), ("log_level", logLevel),
            ("log_format", logFormat), ("cors_origins", corsOrigins), ("metrics", metrics), ("api_keys", apiKeys),
            ("batch_token_budget", batchTokenBudget),
            ("step_time_ms", stepTimeMs),
            ("speculative", speculative),
            ("replica_id", replicaID),
        ]
        return Dictionary(uniqueKeysWithValues: all.compactMap { key, value in value.map { (key, $0) } })
    }

    /// The effective configuration: defaults < file < environment < these flags.
    func load(environment: [String: String]) throws -> Configuration {
        try ConfigurationLoader.load(flags: givenSettings, file: config, environment: environment)
    }

    private static func help(_ key: String, valueName: String? = nil) -> ArgumentHelp {
        ArgumentHelp(Settings.help(key), valueName: valueName ?? Self.valueName(key))
    }

    private static func valueName(_ key: String) -> String {
        if key.hasSuffix("_s") { return "seconds" }
        if key.hasSuffix("_bytes") { return "bytes" }
        if key.hasSuffix("_mb") { return "MiB" }
        return "n"
    }
}
