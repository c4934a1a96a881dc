import Synchronization
import XCTest
@testable import Kernels

final class ThreadPoolTests: XCTestCase {
    func testEveryIndexRunsExactlyOnce() {
        for threads in [1, 2, 3] {
            let pool = ThreadPool(threads: threads)
            for count in [0, 1, 2, 7, 100, 1000] {
                let hits = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: max(count, 1))
                for i in 0..<max(count, 1) { (hits + i).initialize(to: Atomic(0)) }
                pool.parallelFor(count) { i in hits[i].add(1, ordering: .relaxed) }
                for i in 0..<count { XCTAssertEqual(hits[i].load(ordering: .relaxed), 1, "threads \(threads) count \(count) i \(i)") }
                hits.deinitialize(count: max(count, 1))
                hits.deallocate()
            }
        }
    }

    func testManyBackToBackJobs() {
        // Stresses generation hand-over: late workers must never run an index of a finished job.
        let pool = ThreadPool(threads: 2)
        let total = Atomic<Int>(0)
        for round in 0..<20000 {
            let n = round % 5 + 1
            pool.parallelFor(n) { _ in total.add(1, ordering: .relaxed) }
        }
        XCTAssertEqual(total.load(ordering: .relaxed), (0..<20000).reduce(0) { $0 + $1 % 5 + 1 })
    }

    func testMoreIndicesThanOneTicketHolds() {
        let pool = ThreadPool(threads: 2)
        let total = Atomic<Int>(0)
        pool.parallelFor(70000) { i in total.add(i, ordering: .relaxed) }
        XCTAssertEqual(total.load(ordering: .relaxed), 70000 * 69999 / 2)
    }

    func testWorkersWakeAfterSleeping() {
        let pool = ThreadPool(threads: 2)
        let total = Atomic<Int>(0)
        pool.parallelFor(4) { _ in total.add(1, ordering: .relaxed) }
        usleep(300_000)  // long enough for the worker to pass its spin and yield phases and sleep
        pool.parallelFor(4) { _ in total.add(1, ordering: .relaxed) }
        XCTAssertEqual(total.load(ordering: .relaxed), 8)
    }

    func testPoolsAreReleased() {
        for _ in 0..<20 {
            let pool = ThreadPool(threads: 2)
            pool.parallelFor(2) { _ in }
        }
    }
}
