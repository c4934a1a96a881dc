import Foundation
import Generation
import Synchronization

extension SchedulerBenchmark {
    /// Times of one submitted request's events (monotonic ms), filled on the worker thread and
    /// read by the benchmark's thread.
    final class Probe: Sendable {
        private struct Events {
            var tokenTimes: [Double] = []
            var finishedAt: Double?
            var failure: GenerationError?
        }

        let submittedMs = MonotonicClock.nowMs()
        private let events = Mutex(Events())
        private let done = DispatchSemaphore(value: 0)
        fileprivate let submitted = Mutex<GenerationTicket?>(nil)
        var ticket: GenerationTicket? { submitted.withLock { $0 } }

        func record(_ event: GenerationEvent) {
            let now = MonotonicClock.nowMs()
            events.withLock { e in
                switch event {
                case .token: e.tokenTimes.append(now)
                case .finished: e.finishedAt = now
                case .failed(let error): e.failure = error; e.finishedAt = now
                }
            }
            if case .token = event { return }
            done.signal()
        }

        var tokens: [Double] { events.withLock { $0.tokenTimes } }
        var finishedMs: Double? { events.withLock { $0.finishedAt } }

        func wait() throws {
            done.wait()
            if let failure = events.withLock({ $0.failure }) { throw failure }
        }

        /// Blocks until at least `n` tokens arrived (or the request ended).
        func waitForTokens(_ n: Int) {
            while tokens.count < n && finishedMs == nil { usleep(2_000) }
        }

        var firstTokenMs: Double? { tokens.first.map { $0 - submittedMs } }

        /// Largest gap between consecutive tokens received within `window` (ms timestamps).
        func largestGap(in window: ClosedRange<Double>) -> Double {
            let times = tokens
            var gap = 0.0
            for (a, b) in zip(times, times.dropFirst()) where b >= window.lowerBound && a <= window.upperBound {
                gap = max(gap, b - a)
            }
            return gap
        }
    }

    static func submit(_ engine: Engine, _ request: GenerationRequest) throws -> Probe {
        let probe = Probe()
        let ticket = try engine.submit(request) { probe.record($0) }
        probe.submitted.withLock { $0 = ticket }
        return probe
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
