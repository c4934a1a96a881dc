import Foundation
import Jinja
import XCTest

/// Small templates, one construct each, rendered by transformers' jinja2 environment
/// (scripts/fixtures/make_template_fixtures.py): our output must equal it exactly.
final class ReferenceCaseTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let name: String
            let template: String
            let text: String?
            let error: String?
        }
        let cases: [Case]
    }

    /// Each case's `context` as our values, parsed order-preserving from the fixture's JSON.
    private func contexts() throws -> [String: [String: Value]] {
        let data = try Data(contentsOf: Self.fixtureURL)
        guard case .dict(let root) = try JSONParser.parse(String(decoding: data, as: UTF8.self)),
              case .list(let cases)? = root["cases"] else { throw XCTSkip("bad fixture") }
        var out: [String: [String: Value]] = [:]
        for c in cases {
            guard case .dict(let d) = c, case .string(let name)? = d["name"], case .dict(let context)? = d["context"] else { continue }
            out[name.string] = Dictionary(uniqueKeysWithValues: context.pairs)
        }
        return out
    }

    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/templates/jinja_cases.json")

    func testRenderingsEqualJinja2() throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Self.fixtureURL))
        let contexts = try contexts()
        XCTAssertGreaterThan(fixture.cases.count, 80)
        for c in fixture.cases {
            let context = contexts[c.name] ?? [:]
            switch c.error {
            case nil:
                do {
                    let template = try Template(c.template, options: .chatTemplate)
                    XCTAssertEqual(try template.render(context), c.text, c.name)
                } catch {
                    XCTFail("\(c.name): \(error)")
                }
            case "syntax":
                XCTAssertThrowsError(try Template(c.template, options: .chatTemplate), c.name) { error in
                    XCTAssertEqual((error as? JinjaError)?.kind, .syntax, c.name)
                }
            default:
                let template: Template
                do { template = try Template(c.template, options: .chatTemplate) } catch {
                    XCTFail("\(c.name): \(error)")
                    continue
                }
                XCTAssertThrowsError(try template.render(context), c.name) { error in
                    XCTAssertNotNil(error as? JinjaError, c.name)
                }
            }
        }
    }
}
