import ArgumentParser
import Dispatch
import Foundation
import API
import Generation
import Llama
import HTTP
import Telemetry

/// `kvserve serve`: load the model, start the engine and the HTTP server, run until a signal.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API (the default command).",
        discussion: "Each setting below can also be set in the config file or as KVSERVE_<KEY> in the environment; flags win. Log lines go to stderr.")

    @OptionGroup var options: ServeOptions

    func run() throws {
        let config = try options.load(environment: ProcessInfo.processInfo.environment)
        try Serve.start(config)
        dispatchMain()
    }

    static func start(_ config: Configuration) throws {
        Log.configure(level: LogLevel(rawValue: config.logLevel) ?? .info, format: LogFormat(rawValue: config.logFormat) ?? .text)
        signal(SIGPIPE, SIG_IGN)  // a vanished client must surface as EPIPE, not kill the process

        let modelPath = try ModelCatalog.resolve(config.model)
        let threads = config.threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : config.threads
        let started = Date()
        let loaded = try LoadedModel(path: modelPath, threads: threads)
        let loadMilliseconds = Int(Date().timeIntervalSince(started) * 1000)

        let engine = try Engine(model: loaded.model, tokenizer: loaded.tokenizer, template: loaded.template,
                                config: engineConfig(config, loaded: loaded))
        let router = Router()
        let api = APIServer(engine: engine, metrics: config.metrics ? ServerMetrics() : nil)
        api.apiKeys = APIKeys(config.apiKeys)
        api.replicaID = config.resolvedReplicaID
        api.debugLog = { Log.write(.debug, $0) }
        api.register(on: router)
        let server = HTTPServer(config: try httpConfig(config)) { request, responder in
            api.handle(request, responder, router: router)
        }
        server.onRequestLogged = { entry in
            AccessLog.write(entry)
            api.recordRequest(entry, router: router)
        }
        do {
            try server.start()
        } catch {
            throw ConfigurationError.badArgument(
                "cannot listen on \(StartupReport.address(config.host, config.port)) (settings host and port): \(error)")
        }
        StartupReport(config: config, modelPath: modelPath, loaded: loaded, threads: threads,
                      contextLength: engine.contextLength, port: server.port, loadMilliseconds: loadMilliseconds).log()

        let shutdown = GracefulShutdown(server: server, engine: engine, grace: config.shutdownGraceSeconds)
        shutdown.install()
        retained = (server, shutdown)
    }

    /// The server and its signal handlers live as long as the process.
    nonisolated(unsafe) private static var retained: (HTTPServer, GracefulShutdown)?

    static func engineConfig(_ config: Configuration, loaded: LoadedModel) -> Engine.EngineConfig {
        var engineConfig = Engine.EngineConfig()
        engineConfig.queueSize = config.queueSize
        engineConfig.maxBatch = config.maxBatch
        engineConfig.batchTokenBudget = config.batchTokenBudget
        engineConfig.stepTimeMs = Double(config.stepTimeMs)
        engineConfig.kvBudgetBytes = config.kvBudgetMB << 20
        engineConfig.kvCacheType = KVCacheType(rawValue: config.kvCacheType) ?? .f16
        engineConfig.stateDirectory = config.stateDirectory.isEmpty ? nil : expandTilde(config.stateDirectory)
        engineConfig.sessionTTL = config.sessionTTLSeconds
        engineConfig.modelName = loaded.name
        engineConfig.modelIdentity = loaded.file.identity
        if config.contextLength > 0 { engineConfig.contextLength = config.contextLength }
        engineConfig.speculative = SpeculativeMode(rawValue: config.speculative) ?? .ngram
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
        http.responseHeaders = [("X-Kvserve-Replica", config.resolvedReplicaID)]
        if !config.tlsCertificate.isEmpty {
            http.tls = TLSConfig(certificatePath: expandTilde(config.tlsCertificate), keyPath: expandTilde(config.tlsKey))
        }
        return http
    }
}

/// SIGTERM / SIGINT: stop accepting, let running streams finish up to the grace period, end
/// the ones still running with a final error line and a complete body, exit 0. A second
/// signal exits at once (status 1).
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

    /// After the grace period, how long the HTTP side has to send the streams' endings.
    static let endingSeconds = 3.0

    private func begin(signal number: Int32) {
        if started {
            Log.write(.warning, "signal \(number) again: exiting now without draining")
            exit(1)
        }
        started = true
        Log.write(.info, "signal \(number): draining (up to \(grace) s; a second signal exits at once)")
        let engine = self.engine, grace = self.grace
        let stopped = DispatchGroup()
        // The engine ends what still runs at `grace` with `.failed(.shuttingDown)`, which the
        // streams write as their last line; the HTTP drain waits a little longer for those.
        stopped.enter()
        server.shutdown(deadline: grace + Self.endingSeconds) { stopped.leave() }
        stopped.enter()
        DispatchQueue.global().async {
            engine.shutdown(deadline: grace)
            stopped.leave()
        }
        stopped.notify(queue: .global()) {
            Log.write(.info, "stopped")
            exit(0)
        }
    }
}
