/// Errors the HTTP module throws; each names the call, file or address at fault.
public enum HTTPServerError: Error, CustomStringConvertible, Equatable {
    /// A system call failed; `errno` is captured at the failure.
    case system(call: String, errno: Int32, message: String)
    case badAddress(host: String, port: Int, message: String)
    case tls(file: String?, message: String)
    case alreadyStarted
    /// A configuration value out of range; names the setting.
    case invalidConfig(setting: String, message: String)

    public var description: String {
        switch self {
        case .system(let call, let errno, let message): return "\(call) failed: \(message) (errno \(errno))"
        case .badAddress(let host, let port, let message): return "cannot listen on \(host):\(port): \(message)"
        case .tls(let file?, let message): return "TLS setup failed for \(file): \(message)"
        case .tls(nil, let message): return "TLS setup failed: \(message)"
        case .alreadyStarted: return "server already started"
        case .invalidConfig(let setting, let message): return "invalid HTTP setting \(setting): \(message)"
        }
    }
}
