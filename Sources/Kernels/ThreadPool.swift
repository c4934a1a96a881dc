import CKernels
import Foundation
import Synchronization

/// Persistent worker pool for the hot loops: the caller plus `threads - 1` workers.
/// A job is published in one atomic ticket word; workers claim indices from it (see PoolState).
/// Waiting spins with `pause`, then `sched_yield` (so a busy, shared machine keeps making
/// progress), then sleeps on a condition variable so an idle server burns no CPU
/// (kernel-notes.md: a pure spin cost 12 ms per call under contention; Dispatch cost 0.2-2 us).
// @unchecked: immutable lets; the job state is `PoolState` (atomics and its condition).
public final class ThreadPool: @unchecked Sendable {
    public let threads: Int
    private let state: PoolState

    public init(threads: Int) {
        self.threads = max(1, threads)
        state = PoolState()
        for i in 1..<self.threads {
            let s = state
            let t = Thread { s.workerLoop() }
            t.name = "kvserve-kernel-\(i)"
            t.stackSize = 1 << 20
            t.start()
        }
    }

    deinit {
        state.stop()
    }

    /// Runs body(0..<count) across the pool and returns when all calls are done. Indices are
    /// handed out dynamically, so callers should pass chunks of work (e.g. groups of rows).
    /// One caller at a time: the pool is owned by one model worker; calls must not nest.
    public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if threads == 1 || count == 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { job in
            var start = 0
            while start < count {
                let n = min(count - start, PoolState.maxCount)
                state.run(count: n, base: start, job: job)
                start += n
            }
        }
    }
}

/// Job state lives in one 64-bit word, `ticket` = generation (32 bits) | count (16) | next index (16),
/// and every index is claimed with a compare-exchange on it. So a worker that wakes late (e.g.
/// descheduled by another process) either claims an index of the job that is still running or
/// fails and sees the new generation; the caller waits only for claimed indices to finish,
/// never for a worker that has not started.
// @unchecked: atomics, plus `lock` for sleeping; the job closure is published through the ticket.
final class PoolState: @unchecked Sendable {
    private let ticket = Atomic<UInt64>(0)
    private let done = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private var job: ((Int) -> Void)?
    private var base = 0  // added to claimed indices (jobs longer than maxCount run in pieces)
    private let lock = NSCondition()

    static let maxCount = 0xFFFF

    // Spin this many `pause`s, then this many `sched_yield`s, before sleeping.
    private static let pauseSpins = 2000
    private static let yieldSpins = 20000

    @inline(__always) private static func generation(_ t: UInt64) -> UInt64 { t >> 32 }
    @inline(__always) private static func count(_ t: UInt64) -> Int { Int((t >> 16) & 0xFFFF) }
    @inline(__always) private static func index(_ t: UInt64) -> Int { Int(t & 0xFFFF) }

    /// Runs job(base + i) for i in 0..<count; count <= maxCount.
    func run(count: Int, base: Int, job: @escaping (Int) -> Void) {
        self.job = job
        self.base = base
        done.store(0, ordering: .relaxed)
        let gen = (Self.generation(ticket.load(ordering: .relaxed)) &+ 1) & 0xFFFF_FFFF
        ticket.store(gen << 32 | UInt64(count) << 16, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            lock.lock()
            lock.broadcast()
            lock.unlock()
        }
        drain(gen)
        var spins = 0
        while done.load(ordering: .acquiring) != count {
            spins += 1
            if spins < Self.pauseSpins { ck_pause() } else { sched_yield() }
        }
        self.job = nil
    }

    /// Claims and runs indices of generation `gen` until none are left or the generation moved on.
    /// `job` is read only after a claim succeeds: the caller cannot replace it until every claimed
    /// index is done, so the read never races with the caller's write.
    @inline(__always)
    private func drain(_ gen: UInt64) {
        var t = ticket.load(ordering: .acquiring)
        while Self.generation(t) == gen && Self.index(t) < Self.count(t) {
            let (won, current) = ticket.compareExchange(expected: t, desired: t + 1, ordering: .acquiringAndReleasing)
            if won {
                runClaimed(Self.index(t))
                done.add(1, ordering: .releasing)
                t = t + 1
            } else {
                t = current
            }
        }
    }

    /// Separate frame so the reference to `job` is released before `done` is bumped (the caller's
    /// `withoutActuallyEscaping` checks that nobody still holds the closure).
    @inline(never)
    private func runClaimed(_ i: Int) {
        job?(base + i)
    }

    func workerLoop() {
        var seen: UInt64 = 0
        while true {
            guard let t = waitForJob(after: seen) else { return }
            seen = Self.generation(t)
            drain(seen)
        }
    }

    /// Returns the ticket of a new generation with work left, or nil when shutting down.
    private func waitForJob(after seen: UInt64) -> UInt64? {
        var spins = 0
        while true {
            if stopping.load(ordering: .relaxed) { return nil }
            let t = ticket.load(ordering: .acquiring)
            if Self.generation(t) != seen { return t }
            spins += 1
            if spins < Self.pauseSpins {
                ck_pause()
            } else if spins < Self.pauseSpins + Self.yieldSpins {
                sched_yield()
            } else {
                sleep(until: seen)
                spins = 0
            }
        }
    }

    private func sleep(until seen: UInt64) {
        lock.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while Self.generation(ticket.load(ordering: .sequentiallyConsistent)) == seen && !stopping.load(ordering: .relaxed) {
            lock.wait()
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        lock.unlock()
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        lock.lock()
        lock.broadcast()
        lock.unlock()
    }
}
