import XCTest
@testable import Generation

/// Prompt-lookup drafting, without the model.
final class NGramDrafterTests: XCTestCase {
    func testNoEarlierOccurrenceGivesNoDraft() {
        var d = NGramDrafter(sizes: [3, 2])
        XCTAssertEqual(d.draft([1, 2, 3, 4, 5], limit: 8), [])
        XCTAssertEqual(d.draft([7], limit: 8), [])
        XCTAssertEqual(d.draft([1, 2, 1, 2], limit: 0), [])
    }

    func testProposesWhatFollowedTheTailBefore() {
        var d = NGramDrafter(sizes: [3, 2])
        // Tail [10, 11] occurred at 0..<2, followed by 12, 13, 14.
        XCTAssertEqual(d.draft([10, 11, 12, 13, 14, 9, 10, 11], limit: 3), [12, 13, 14])
        // The continuation stops at the end of the history.
        var e = NGramDrafter(sizes: [2])
        XCTAssertEqual(e.draft([5, 6, 7, 5, 6], limit: 10), [7, 5, 6])
    }

    func testLongestMatchWinsOverMoreRecentShorterOne() {
        var d = NGramDrafter(sizes: [3, 2])
        // [1, 2, 3] occurred at 0 (then 40); [2, 3] alone occurred later (then 50).
        let history: [Int32] = [1, 2, 3, 40, 9, 2, 3, 50, 8, 1, 2, 3]
        XCTAssertEqual(d.draft(history, limit: 1), [40])
        var two = NGramDrafter(sizes: [2])
        XCTAssertEqual(two.draft(history, limit: 1), [50], "most recent occurrence of the 2-gram")
    }

    /// Growing the history call by call (as decoding does) gives the same drafts as a fresh
    /// drafter over the whole history every time (the incremental index is exact).
    func testIncrementalIndexEqualsFreshLookup() {
        var rng = SystemRandomNumberGenerator()
        var history: [Int32] = []
        var incremental = NGramDrafter(sizes: [3, 2, 1])
        for _ in 0..<400 {
            history.append(Int32.random(in: 0..<6, using: &rng))
            var fresh = NGramDrafter(sizes: [3, 2, 1])
            XCTAssertEqual(incremental.draft(history, limit: 5), fresh.draft(history, limit: 5))
            XCTAssertEqual(bruteForce(history, sizes: [3, 2, 1], limit: 5), fresh.draft(history, limit: 5))
        }
    }

    /// The rule stated plainly: longest size first, latest earlier occurrence of the tail.
    private func bruteForce(_ h: [Int32], sizes: [Int], limit: Int) -> [Int32] {
        guard h.count >= 2 else { return [] }
        for n in sizes where h.count > n {
            let tail = Array(h[(h.count - n)...])
            for start in stride(from: h.count - n - 1, through: 0, by: -1) where Array(h[start..<start + n]) == tail {
                let next = start + n
                return Array(h[next..<min(next + limit, h.count)])
            }
        }
        return []
    }
}
