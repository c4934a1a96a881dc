import Dispatch
import Synchronization

/// Runs jobs at most `limit` at a time, in arrival order, each on a global queue; the others
/// wait their turn (none is refused). Work whose memory grows with the request, such as a
/// large /tokenize (several bytes per byte of text while it runs), goes through one, so its
/// memory is bounded by `limit` rather than by the number of connections.
final class AdmissionQueue: Sendable {
    typealias Job = @Sendable () -> Void

    private struct State {
        var running = 0
        var waiting: [Job] = []
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(limit, 1)
    }

    func run(_ job: @escaping Job) {
        let startNow = state.withLock { s in
            guard s.running < limit else {
                s.waiting.append(job)
                return false
            }
            s.running += 1
            return true
        }
        if startNow { launch(job) }
    }

    private func launch(_ job: @escaping Job) {
        DispatchQueue.global().async {
            job()
            self.finished()
        }
    }

    /// A job ended: its slot goes to the oldest waiting job, if any.
    private func finished() {
        let next: Job? = state.withLock { s in
            if s.waiting.isEmpty {
                s.running -= 1
                return nil
            }
            return s.waiting.removeFirst()
        }
        if let next { launch(next) }
    }
}
