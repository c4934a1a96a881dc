import Foundation
import XCTest
@testable import Kernels

/// Dequantization against gguf-py's `gguf.quants.dequantize` on block data made by
/// scripts/fixtures/make_quant_fixtures.py. The formulas follow gguf-py operation by operation,
/// so the comparison is exact (bit patterns), no tolerance.
final class DequantizeTests: XCTestCase {
    struct Case: Decodable {
        let name: String
        let type: UInt32
        let elements: Int
    }

    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/quants")

    func testEveryFormatMatchesGGUFPy() throws {
        let manifest = try JSONDecoder().decode([Case].self, from: Data(contentsOf: Self.dir.appendingPathComponent("manifest.json")))
        XCTAssertEqual(Set(manifest.map(\.type)), Set(BlockFormat.allCases.map(\.rawValue)), "fixtures cover every format")
        for c in manifest {
            let format = try XCTUnwrap(BlockFormat(rawValue: c.type), c.name)
            let raw = try Data(contentsOf: Self.dir.appendingPathComponent(c.name + ".bin"))
            let expected = try Data(contentsOf: Self.dir.appendingPathComponent(c.name + ".f32")).withUnsafeBytes {
                Array($0.bindMemory(to: Float.self))
            }
            XCTAssertEqual(raw.count, format.byteCount(elements: c.elements), c.name)
            let got = raw.withUnsafeBytes { Kernels.dequantize(format, $0.baseAddress!, count: c.elements) }
            XCTAssertEqual(got.count, c.elements)
            var mismatches = 0
            for i in 0..<min(got.count, expected.count) where got[i].bitPattern != expected[i].bitPattern {
                if mismatches < 3 { XCTFail("\(c.name)[\(i)]: got \(got[i]), gguf-py \(expected[i])") }
                mismatches += 1
            }
            XCTAssertEqual(mismatches, 0, c.name)
        }
    }

    func testDequantizeRowPicksTheRightRow() throws {
        let raw = try Data(contentsOf: Self.dir.appendingPathComponent("q4_1.bin"))
        let expected = try Data(contentsOf: Self.dir.appendingPathComponent("q4_1.f32")).withUnsafeBytes {
            Array($0.bindMemory(to: Float.self))
        }
        // 16 blocks viewed as 4 rows of 128 columns.
        try raw.withUnsafeBytes { buf in
            let w = WeightMatrix(format: .q4_1, rows: 4, cols: 128, data: try XCTUnwrap(buf.baseAddress))
            var row = [Float](repeating: 0, count: 128)
            Kernels.dequantizeRow(w, row: 2, into: &row)
            XCTAssertEqual(row, Array(expected[256..<384]))
        }
    }
}
