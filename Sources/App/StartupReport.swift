import Foundation
import Kernels
import Logging

/// The effective configuration, logged once the server listens: what runs, where state goes,
/// and with how much memory and compute. Each line carries its values as fields too, so the
/// JSON format gives them to a machine.
struct StartupReport {
    let config: Configuration
    let modelPath: String
    let loaded: LoadedModel
    let threads: Int
    let contextLength: Int
    let port: Int
    let loadMilliseconds: Int

    func log() {
        Log.write(.info, BuildInfo.versionLine, details: ["version": .string(BuildInfo.version), "revision": .string(BuildInfo.revision)])
        Log.write(.info, "model \(loaded.name) (\(loaded.architecture), \(loaded.model.quantization)) from \(modelPath), loaded in \(loadMilliseconds) ms",
                  details: ["model": .string(loaded.name), "architecture": .string(loaded.architecture), "model_path": .string(modelPath),
                   "load_ms": .stringConvertible(loadMilliseconds)])
        // Which kernel runs each weight format: no format may take a slow path unnoticed.
        for (format, count) in loaded.model.tensorTypeCounts {
            let kernel = Kernels.kernelDescription(for: format)
            Log.write(.info, "weights: \(count) \(format) matrices run on \(kernel)",
                      details: ["format": .string("\(format)"), "matrices": .stringConvertible(count), "kernel": .string(kernel)])
        }
        Log.write(.info, "compute: \(threads) threads, \(Kernels.isaName) kernels, context \(contextLength) tokens, batches of up to \(config.maxBatch), queue of \(config.queueSize)",
                  details: ["threads": .stringConvertible(threads), "isa": .string(Kernels.isaName),
                   "context_length": .stringConvertible(contextLength), "max_batch": .stringConvertible(config.maxBatch),
                   "queue_size": .stringConvertible(config.queueSize)])
        let stateDir = config.stateDirectory.isEmpty ? "" : expandTilde(config.stateDirectory)
        let durability = stateDir.isEmpty ? "in memory only (no state_dir)" : "saved to \(stateDir)"
        Log.write(.info, "sessions: \(durability), KV budget \(config.kvBudgetMB) MiB, idle expiry \(SettingValue.seconds(config.sessionTTLSeconds).json) s",
                  details: ["state_dir": .string(stateDir),
                   "kv_budget_mb": .stringConvertible(config.kvBudgetMB),
                   "session_ttl_s": .stringConvertible(config.sessionTTLSeconds)])
        let scheme = config.tlsCertificate.isEmpty ? "http" : "https"
        Log.write(.info, "listening on \(Self.address(config.host, port)) (\(scheme)), log level \(config.logLevel)",
                  details: ["address": .string(Self.address(config.host, port)), "scheme": .string(scheme),
                   "log_level": .string(config.logLevel), "log_format": .string(config.logFormat)])
    }

    /// host:port, with an IPv6 host in brackets (RFC 3986 section 3.2.2).
    static func address(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
