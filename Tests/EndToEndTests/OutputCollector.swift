import Foundation
import Synchronization

/// Collects what a child process writes to a pipe, readable from any thread while it runs.
final class OutputCollector: Sendable {
    let pipe = Pipe()
    private let collected = Mutex("")

    init() {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.collected.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
    }

    var text: String { collected.withLock { $0 } }
}
