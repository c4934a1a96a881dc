import ArgumentParser
import Foundation

/// `kvserve healthcheck`: exits 0 when the server configured here (file, environment, flags,
/// as for `serve`) answers GET /health with 200. The Docker image's HEALTHCHECK, so it
/// follows KVSERVE_PORT and the config file rather than a fixed port.
struct Healthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exit 0 if the configured server answers GET /health (for container health checks).")

    @OptionGroup var options: ServeOptions

    @Option(help: ArgumentHelp("Seconds to wait for the answer.", valueName: "seconds"))
    var timeout: Double = 5

    func run() throws {
        let config = try options.load(environment: ProcessInfo.processInfo.environment)
        // A wildcard listen address is reached on loopback.
        let host = ["0.0.0.0", "::", ""].contains(config.host) ? "127.0.0.1" : config.host
        if !config.tlsCertificate.isEmpty {
            // No TLS client here: an accepted connection is the check.
            _ = try HealthProbe.status(host: host, port: config.port, path: "/health", timeout: timeout, connectOnly: true)
            print("accepting connections: \(StartupReport.address(host, config.port))")
            return
        }
        let status = try HealthProbe.status(host: host, port: config.port, path: "/health", timeout: timeout)
        guard status == 200 else {
            throw ConfigurationError.badArgument("GET /health on \(StartupReport.address(host, config.port)) answered \(status)")
        }
        print("healthy: \(StartupReport.address(host, config.port))")
    }
}
