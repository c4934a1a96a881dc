import Foundation

/// Collects what a child process writes to a pipe, readable from any thread while it runs.
final class OutputCollector {
    let pipe = Pipe()
    private let lock = NSLock()
    private var collected = ""

    init() {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.collected += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }
}
