import CBuildInfo

/// What `kvserve --version` prints: the release and the git revision stamped at build time.
public enum BuildInfo {
    public static let version = "0.1.0"
    public static var revision: String { String(cString: kvserve_git_revision()) }
    public static var versionLine: String { "kvserve \(version) (git \(revision))" }
}
