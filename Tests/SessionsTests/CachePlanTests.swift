import XCTest
@testable import Sessions

final class CachePlanTests: XCTestCase {
    func testEmptyCacheRebuilds() {
        XCTAssertEqual(CachePlan.make(cached: [], prompt: [1, 2, 3]), .rebuild)
    }

    func testCacheIsPrefixOfPromptAppends() {
        XCTAssertEqual(CachePlan.make(cached: [1, 2, 3], prompt: [1, 2, 3, 4, 5]), .append(suffixFrom: 3))
    }

    func testDivergingPromptTruncatesToCommonPrefix() {
        XCTAssertEqual(CachePlan.make(cached: [1, 2, 3, 4], prompt: [1, 2, 9, 9]), .truncate(to: 2))
    }

    func testNothingInCommonRebuilds() {
        XCTAssertEqual(CachePlan.make(cached: [7, 8], prompt: [1, 2]), .rebuild)
    }

    func testFullyCachedPromptStillPrefillsItsLastToken() {
        // Same prompt again: the cache has no logits, so the last token is re-run.
        XCTAssertEqual(CachePlan.make(cached: [1, 2, 3], prompt: [1, 2, 3]), .truncate(to: 2))
        // Prompt shorter than the cache and a prefix of it.
        XCTAssertEqual(CachePlan.make(cached: [1, 2, 3, 4], prompt: [1, 2]), .truncate(to: 1))
        XCTAssertEqual(CachePlan.make(cached: [1], prompt: [1]), .rebuild)
    }

    func testEmptyPromptRebuilds() {
        XCTAssertEqual(CachePlan.make(cached: [1, 2], prompt: []), .rebuild)
    }

    func testReusedTokens() {
        XCTAssertEqual(CachePlan.append(suffixFrom: 5).reusedTokens, 5)
        XCTAssertEqual(CachePlan.truncate(to: 2).reusedTokens, 2)
        XCTAssertEqual(CachePlan.rebuild.reusedTokens, 0)
    }

    func testSlicesWithNonZeroStartIndex() {
        let cached: [Int32] = [0, 1, 2, 3]
        let prompt: [Int32] = [9, 1, 2, 3, 5]
        XCTAssertEqual(CachePlan.make(cached: cached[1...], prompt: prompt[1...]), .append(suffixFrom: 3))
    }
}

final class SessionIDTests: XCTestCase {
    func testValidIDs() {
        for id in ["a", "chat-1", "A.b_c-9", String(repeating: "x", count: 128), "..", "."] {
            XCTAssertTrue(SessionID.isValid(id), id)
        }
    }

    func testInvalidIDs() {
        for id in ["", "../x", "a/b", "a b", "é", "x\u{0}", String(repeating: "x", count: 129), "a\\b"] {
            XCTAssertFalse(SessionID.isValid(id), id)
        }
    }

    func testCRC32KnownValue() {
        // The standard check value of CRC-32/ISO-HDLC.
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
    }
}
