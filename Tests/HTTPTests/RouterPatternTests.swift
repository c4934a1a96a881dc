import XCTest
@testable import HTTP

// Metrics label requests with the matched route pattern, so label values stay bounded.
final class RouterPatternTests: XCTestCase {
    func testPatternOfAPath() {
        let router = Router()
        router.add(method: "GET", path: "/health") { _, _ in }
        router.add(method: "DELETE", path: "/sessions/{id}") { _, _ in }
        router.add(method: "GET", path: "/") { _, _ in }
        XCTAssertEqual(router.pattern(for: "/health"), "/health")
        XCTAssertEqual(router.pattern(for: "/sessions/chat-1"), "/sessions/{id}", "any method's route counts")
        XCTAssertEqual(router.pattern(for: "/"), "/")
        XCTAssertNil(router.pattern(for: "/sessions/"), "an empty parameter does not match")
        XCTAssertNil(router.pattern(for: "/health/x"))
    }
}
