import Foundation
import Jinja
import XCTest

/// Behaviour the reference fixtures cannot show: where output came from, error lines,
/// options, reuse of a parsed template.
final class InterpreterTests: XCTestCase {
    private func render(_ source: String, _ context: [String: Value] = [:],
                        options: Template.Options = .chatTemplate) throws -> String {
        try Template(source, options: options).render(context)
    }

    func testLiteralTextAndDataKeepTheirOrigin() throws {
        let t = try Template("{{ '<s>' + role + '\\n' }}{{ content | trim }}{% set x = bos ~ 'y' %}{{ x }}")
        let segments = try t.renderSegments(["role": .string("user"), "content": .string(" <s> "),
                                             "bos": .string("<b>", literal: true)])
        XCTAssertEqual(segments, [Segment("<s>", isLiteral: true), Segment("user", isLiteral: false),
                                  Segment("\n", isLiteral: true), Segment("<s>", isLiteral: false),
                                  Segment("<b>y", isLiteral: true)])
    }

    func testTransformedMixedTextIsData() throws {
        let segments = try Template("{{ ('<a>' + x) | upper }}").renderSegments(["x": .string("b")])
        XCTAssertEqual(segments, [Segment("<A>B", isLiteral: false)])
    }

    func testJoinAndMacroKeepOrigins() throws {
        let t = try Template("{% macro m(v) %}<{{ v }}>{% endmacro %}{{ [m(a), 'z'] | join('|') }}")
        XCTAssertEqual(try t.renderSegments(["a": .string("d")]),
                       [Segment("<", isLiteral: true), Segment("d", isLiteral: false), Segment(">|z", isLiteral: true)])
    }

    func testRenderErrorsNameTheLine() {
        let source = "line one\n{% if true %}\n  {{ messages[0].content.x.y }}\n{% endif %}"
        XCTAssertThrowsError(try render(source, ["messages": .list([])])) { error in
            guard let e = error as? JinjaError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.kind, .render)
            XCTAssertEqual(e.line, 3)
            XCTAssertTrue(e.description.contains("line 3"), e.description)
        }
    }

    func testRaiseExceptionCarriesItsMessage() {
        XCTAssertThrowsError(try render("\n{{ raise_exception('roles must alternate') }}")) { error in
            XCTAssertEqual(error as? JinjaError, JinjaError(.raised, "roles must alternate", line: 2))
        }
    }

    func testSyntaxErrorsNameTheLine() {
        XCTAssertThrowsError(try Template("a\nb\n{% for x in %}")) { error in
            guard let e = error as? JinjaError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.kind, .syntax)
            XCTAssertEqual(e.line, 3)
        }
        XCTAssertThrowsError(try Template("{% if x %}{% endfor %}"))
        XCTAssertThrowsError(try Template("{{ 'a' | }}"))
        XCTAssertThrowsError(try Template("{{ x[1:2:3:4] }}"))
    }

    func testWithoutTrimOptionsWhitespaceIsKept() throws {
        let source = "  {% if true %}\nx\n  {% endif %}\n"
        XCTAssertEqual(try render(source, options: .init()), "  \nx\n  ")
        XCTAssertEqual(try render(source), "x\n")
    }

    func testParseOnceRenderMany() throws {
        let t = try Template("{% set ns = namespace(n=0) %}{% for i in l %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}")
        XCTAssertEqual(try t.render(["l": .list([.int(1), .int(2)])]), "3")
        XCTAssertEqual(try t.render(["l": .list([.int(5)])]), "5")
    }

    func testUndefinedBehavesLikeJinja2Default() throws {
        XCTAssertEqual(try render("[{{ x }}]{{ x is defined }}{{ x | length }}{% if not x %}falsy{% endif %}"), "[]False0falsy")
        XCTAssertThrowsError(try render("{{ x.y }}"))
        XCTAssertThrowsError(try render("{{ x + 1 }}"))
        XCTAssertEqual(try render("{{ x == y }}"), "True")
    }

    func testStrftimeNowPrintsTheCurrentDate() throws {
        let year = Calendar.current.component(.year, from: Date())
        let printed = try render("{{ strftime_now('%Y') }}|{{ strftime_now('%d %b %Y') | length }}")
        // Either side of a new year's midnight is fine; the format is what is checked.
        XCTAssertTrue(printed == "\(year)|11" || printed == "\(year + 1)|11", printed)
    }

    func testReferencesFindsVariables() throws {
        XCTAssertTrue(try Template("{% if x %}{% for t in tools %}{% endfor %}{% endif %}").references("tools"))
        XCTAssertTrue(try Template("{{ a if b else tools | length }}").references("tools"))
        XCTAssertFalse(try Template("{{ 'tools' }}{% set tool = 1 %}").references("tools"))
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try JSONParser.parse(deep))
    }
}

/// Hostile templates end in errors, never in a crash.
final class LimitTests: XCTestCase {
    func testDeepTemplateNestingIsASyntaxError() {
        let deep = "{{ " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " }}"
        XCTAssertThrowsError(try Template(deep))
        let blocks = String(repeating: "{% if true %}", count: 5000) + String(repeating: "{% endif %}", count: 5000)
        XCTAssertThrowsError(try Template(blocks))
    }

    func testRecursiveMacroIsAnError() throws {
        let t = try Template("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}")
        XCTAssertThrowsError(try t.render([:]))
    }

    func testHugeRepetitionIsAnError() throws {
        XCTAssertThrowsError(try Template("{{ 'ab' * 100000000000 }}").render([:]))
        XCTAssertEqual(try Template("{{ 'ab' * 2 }}{{ 'x' * -1 }}").render([:]), "abab")
    }
}
