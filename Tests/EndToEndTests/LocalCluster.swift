import Foundation
import XCTest

/// `deploy/local-cluster.sh` driven from a test: N replicas of the built binary and nginx on
/// 127.0.0.1, one shared state directory; replicas killed and restarted by their pid files.
final class LocalCluster {
    let replicas: Int
    let port: Int
    let stateDirectory: String
    private var running = false

    static var script: String { PythonScript.packageRoot.appendingPathComponent("deploy/local-cluster.sh").path }

    init(replicas: Int, stateDirectory: String) throws {
        self.replicas = replicas
        self.stateDirectory = stateDirectory
        port = try Self.freePortRange(count: replicas + 1)
    }

    func up() throws {
        running = true
        try run(["up", String(replicas), String(port), stateDirectory], timeout: 300)
    }

    func down() {
        guard running else { return }
        running = false
        _ = try? run(["down", stateDirectory], timeout: 60)
    }

    func replicaPort(_ index: Int) -> Int { port + index }

    func pid(of index: Int) -> Int32? {
        let file = stateDirectory + "/.cluster/replica-\(index).pid"
        return (try? String(contentsOfFile: file, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    func kill9(_ index: Int) throws {
        let pid = try XCTUnwrap(pid(of: index))
        XCTAssertEqual(kill(pid, SIGKILL), 0)
        let deadline = Date().addingTimeInterval(10)
        while Self.isAlive(pid) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    }

    /// Running, not a zombie (the replica is not our child, so nobody here reaps it).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    func restart(_ index: Int) throws {
        try run(["start-replica", stateDirectory, String(index)], timeout: 180)
    }

    func log(of index: Int) -> String {
        (try? String(contentsOfFile: stateDirectory + "/.cluster/replica-\(index).log", encoding: .utf8)) ?? ""
    }

    /// Runs the script with posix_spawn and waitpid: Foundation's `Process` notices an exit
    /// only when every holder of its monitoring socket is gone, and the script leaves replicas
    /// and nginx running behind it. Output goes to a file, shown when the script fails.
    @discardableResult
    private func run(_ arguments: [String], timeout: TimeInterval) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["KVSERVE_BIN"] = ServerProcess.binary.path
        environment["KVSERVE_MODEL"] = try ServerProcess.modelPath()
        environment["KVSERVE_THREADS"] = "1"  // three replicas share the machine's cores
        environment["KVSERVE_CONFIG"] = nil
        let outputPath = stateDirectory + "/.cluster-\(arguments[0]).out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (["/bin/bash", Self.script] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, argv, envp)
        guard spawned == 0 else { throw NSError(domain: "LocalCluster", code: Int(spawned)) }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw NSError(domain: "LocalCluster", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(arguments[0]) timed out"])
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else {  // exited with 0 (raw wait status 0)
            throw NSError(domain: "LocalCluster", code: 2, userInfo: [NSLocalizedDescriptionKey: "\(arguments[0]) failed: \(output)"])
        }
        return output
    }

    /// A base port with the next `count - 1` ports free on 127.0.0.1 too.
    static func freePortRange(count: Int) throws -> Int {
        for _ in 0..<50 {
            let base = Int.random(in: 20_000...50_000)
            if (base..<base + count).allSatisfy(isFree) { return base }
        }
        throw NSError(domain: "LocalCluster", code: 3, userInfo: [NSLocalizedDescriptionKey: "no free port range"])
    }

    private static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// One HTTP exchange through curl: status, headers (lower-cased names) and the JSON body.
struct ClusterReply {
    var status: Int
    var headers: [String: String]
    var body: [String: Any]

    var replica: String { headers["x-kvserve-replica"] ?? "" }
    var usage: [String: Int] { (body["usage"] as? [String: Any])?.compactMapValues { $0 as? Int } ?? [:] }

    static func request(port: Int, path: String, json: String? = nil, headers: [String: String] = [:]) throws -> ClusterReply {
        var arguments = ["-D", "-", "http://127.0.0.1:\(port)\(path)"]
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if let json { arguments += ["-H", "Content-Type: application/json", "-d", json] }
        let text = try Curl.run(arguments)
        guard let split = text.range(of: "\r\n\r\n") else {
            throw NSError(domain: "ClusterReply", code: 1, userInfo: [NSLocalizedDescriptionKey: "no response: \(text)"])
        }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return ClusterReply(status: status, headers: fields, body: jsonObject(String(text[split.upperBound...])) ?? [:])
    }
}
