import Dispatch
import Foundation
import API
import Generation
import HTTP
import Telemetry

/// `kvserve serve`: load the model, start the engine and the HTTP server, run until a signal.
enum ServeCommand {
    static func run(_ arguments: [String]) throws {
        let config = try ConfigurationLoader.load(flags: arguments, environment: ProcessInfo.processInfo.environment)
        Log.threshold = LogLevel(rawValue: config.logLevel) ?? .info
        signal(SIGPIPE, SIG_IGN)  // a vanished client must surface as EPIPE, not kill the process

        let modelPath = try LoadedModel.resolvePath(config.model)
        let threads = config.threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : config.threads
        let started = Date()
        let loaded = try LoadedModel(path: modelPath, threads: threads)
        Log.write(.info, "model \(loaded.name) from \(modelPath) loaded in \(Int(Date().timeIntervalSince(started) * 1000)) ms")

        let engine = try Engine(model: loaded.model, tokenizer: loaded.tokenizer, template: loaded.template,
                                config: engineConfig(config, loaded: loaded))
        let router = Router()
        let api = APIServer(engine: engine, metrics: config.metrics ? ServerMetrics() : nil)
        api.apiKeys = APIKeys(config.apiKeys)
        api.debugLog = { Log.write(.debug, $0) }
        api.register(on: router)
        let server = HTTPServer(config: try httpConfig(config)) { request, responder in
            api.handle(request, responder, router: router)
        }
        server.onRequestLogged = { entry in
            Log.write(.info, accessLogLine(entry))
            api.recordRequest(entry, router: router)
        }
        try server.start()
        Log.write(.info, "listening on \(config.host):\(server.port)\(config.tlsCertificate.isEmpty ? "" : " (TLS)")")

        let shutdown = GracefulShutdown(server: server, engine: engine, grace: config.shutdownGraceSeconds)
        shutdown.install()
        dispatchMain()
    }

    /// `POST /generate 200 812.3ms 1432B tokens=57 127.0.0.1`
    static func accessLogLine(_ entry: HTTPLogEntry) -> String {
        var line = String(format: "%@ %@ %d %.1fms %dB", entry.method, entry.path, entry.status, entry.duration * 1000, entry.bytes)
        for (key, value) in entry.fields.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        if entry.clientGone { line += " client_gone" }
        return line + " " + entry.remoteAddress
    }

    static func engineConfig(_ config: Configuration, loaded: LoadedModel) -> Engine.EngineConfig {
        var engineConfig = Engine.EngineConfig()
        engineConfig.queueSize = config.queueSize
        engineConfig.maxBatch = config.maxBatch
        engineConfig.kvBudgetBytes = config.kvBudgetMB << 20
        engineConfig.stateDirectory = config.stateDirectory.isEmpty ? nil : expandTilde(config.stateDirectory)
        engineConfig.sessionTTL = config.sessionTTLSeconds
        engineConfig.modelName = loaded.name
        engineConfig.modelIdentity = loaded.file.identity
        if config.contextLength > 0 { engineConfig.contextLength = config.contextLength }
        engineConfig.log = { message in Log.write(.info, message) }
        return engineConfig
    }

    static func httpConfig(_ config: Configuration) throws -> HTTPServerConfig {
        var http = HTTPServerConfig()
        http.host = config.host
        http.port = config.port
        http.maxConnections = config.maxConnections
        http.maxHeaderBytes = config.maxHeaderBytes
        http.maxBodyBytes = config.maxBodyBytes
        http.headerTimeout = config.headerTimeoutSeconds
        http.bodyTimeout = config.bodyTimeoutSeconds
        http.idleTimeout = config.idleTimeoutSeconds
        http.cors = CORSPolicy(origins: config.corsOrigins)
        if !config.tlsCertificate.isEmpty {
            http.tls = TLSConfig(certificatePath: expandTilde(config.tlsCertificate), keyPath: expandTilde(config.tlsKey))
        }
        return http
    }
}

/// SIGTERM / SIGINT: stop accepting, let running streams finish up to the grace period,
/// flush sessions to disk, exit 0.
final class GracefulShutdown {
    private let server: HTTPServer
    private let engine: Engine
    private let grace: Double
    private var sources: [DispatchSourceSignal] = []
    private var started = false

    init(server: HTTPServer, engine: Engine, grace: Double) {
        self.server = server
        self.engine = engine
        self.grace = grace
    }

    func install() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)  // let the Dispatch source see it instead of the default handler
            let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
            source.setEventHandler { [weak self] in self?.begin(signal: number) }
            source.resume()
            sources.append(source)
        }
    }

    private func begin(signal number: Int32) {
        guard !started else { return }
        started = true
        Log.write(.info, "signal \(number): draining (up to \(grace) s)")
        server.stopAccepting()
        let engine = self.engine, grace = self.grace
        server.shutdown(deadline: grace) {
            DispatchQueue.global().async {
                engine.shutdown(deadline: 1)
                Log.write(.info, "stopped")
                exit(0)
            }
        }
    }
}
