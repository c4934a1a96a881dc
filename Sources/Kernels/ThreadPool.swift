import CKernels
import Foundation
import Synchronization

/// Persistent worker pool for the hot loops: the caller plus `threads - 1` workers.
/// A job is published by bumping `generation`; workers take indices from an atomic counter.
/// Waiting spins with `pause`, then `sched_yield` (so a busy, shared machine keeps making
/// progress), then sleeps on a condition variable so an idle server burns no CPU
/// (kernel-notes.md: a pure spin cost 12 ms per call under contention; Dispatch cost 0.2-2 us).
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
            state.run(count: count, workers: threads - 1, job: job)
        }
    }
}

final class PoolState: @unchecked Sendable {
    private let generation = Atomic<Int>(0)
    private let next = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private var job: ((Int) -> Void)?
    private var count = 0
    private let lock = NSCondition()

    // Spin this many `pause`s, then this many `sched_yield`s, before sleeping.
    private static let pauseSpins = 2000
    private static let yieldSpins = 20000

    func run(count: Int, workers: Int, job: @escaping (Int) -> Void) {
        self.job = job
        self.count = count
        next.store(0, ordering: .relaxed)
        pending.store(workers, ordering: .relaxed)
        generation.add(1, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            lock.lock()
            lock.broadcast()
            lock.unlock()
        }
        drain(job, count)
        var spins = 0
        while pending.load(ordering: .acquiring) != 0 {
            spins += 1
            if spins < Self.pauseSpins { ck_pause() } else { sched_yield() }
        }
        self.job = nil
    }

    @inline(__always)
    private func drain(_ job: (Int) -> Void, _ count: Int) {
        while true {
            let i = next.add(1, ordering: .relaxed).oldValue
            if i >= count { return }
            job(i)
        }
    }

    func workerLoop() {
        var seen = 0
        while true {
            guard let g = waitForJob(after: seen) else { return }
            seen = g
            if let job = job { drain(job, count) }
            pending.subtract(1, ordering: .releasing)
        }
    }

    /// Returns the new generation, or nil when the pool is shutting down.
    private func waitForJob(after seen: Int) -> Int? {
        var spins = 0
        while true {
            if stopping.load(ordering: .relaxed) { return nil }
            let g = generation.load(ordering: .acquiring)
            if g != seen { return g }
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

    private func sleep(until seen: Int) {
        lock.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while generation.load(ordering: .sequentiallyConsistent) == seen && !stopping.load(ordering: .relaxed) {
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
