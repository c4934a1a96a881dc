import Foundation

extension SchedulerBenchmark {
    /// Times of one submitted request's events (monotonic ms), filled on the worker thread and
    /// read after `done` is signalled (the semaphore orders the accesses).
    final class Probe: @unchecked Sendable {
        let submittedMs = MonotonicClock.nowMs()
        private let lock = NSLock()
        private var tokenTimes: [Double] = []
        private var finishedAt: Double?
        private var failure: GenerationError?
        let done = DispatchSemaphore(value: 0)
        var ticket: GenerationTicket?

        func record(_ event: GenerationEvent) {
            let now = MonotonicClock.nowMs()
            lock.lock()
            defer { lock.unlock() }
            switch event {
            case .token: tokenTimes.append(now)
            case .finished: finishedAt = now; done.signal()
            case .failed(let e): failure = e; finishedAt = now; done.signal()
            }
        }

        var tokens: [Double] { lock.lock(); defer { lock.unlock() }; return tokenTimes }
        var finishedMs: Double? { lock.lock(); defer { lock.unlock() }; return finishedAt }

        func wait() throws {
            done.wait()
            lock.lock()
            defer { lock.unlock() }
            if let failure { throw failure }
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
        probe.ticket = try engine.submit(request) { probe.record($0) }
        return probe
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
