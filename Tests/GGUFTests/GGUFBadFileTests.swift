import XCTest
@testable import GGUF
import TestSupport

/// Corrupt and hostile files: each must give its own error case, and the message must name
/// the problem, never crash or read out of bounds.
final class GGUFBadFileTests: XCTestCase {
    private func validFile() throws -> [UInt8] {
        var w = GGUFWriter()
        w.set("general.architecture", .string("llama"))
        w.set("tokenizer.ggml.tokens", .array([.string("a"), .string("b")]))
        try w.addTensor(name: "norm.weight", dims: [8], floats: Array(repeating: 1, count: 8))
        try w.addTensor(name: "blk.0.w", dims: [32, 2], type: .q8_0,
                        bytes: [UInt8](repeating: 0, count: 2 * GGMLType.q8_0.blockBytes))
        return try w.encode()
    }

    private func open(_ bytes: [UInt8]) throws -> GGUFFile {
        try GGUFFile(path: try GGUFTestFile.write(bytes: bytes))
    }

    /// Byte offset of the tensor info of `name`: right after its u64 length + name bytes.
    private func infoOffset(_ bytes: [UInt8], _ name: String) throws -> Int {
        let needle = Array(name.utf8)
        for i in 0...(bytes.count - needle.count) where Array(bytes[i..<(i + needle.count)]) == needle {
            // The last occurrence is the directory entry (metadata strings come before it).
            if bytes[(i + needle.count)...].starts(with: [1, 0, 0, 0]) || bytes[(i + needle.count)...].starts(with: [2, 0, 0, 0]) {
                return i + needle.count
            }
        }
        throw GGUFError.missingKey(name)
    }

    private func patch<T: FixedWidthInteger>(_ bytes: inout [UInt8], at offset: Int, _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { bytes[offset + i] = b } }
    }

    func testTruncatedAtSeveralCutPoints() throws {
        let bytes = try validFile()
        let dataStart = try open(bytes).dataOffset
        // Inside the magic, the version, the counts, a key, a string array, the directory, and the data.
        for cut in [0, 2, 6, 12, 20, 30, 60, 90, dataStart - 10, dataStart + 4, bytes.count - 1] {
            XCTAssertThrowsError(try open(Array(bytes[0..<cut])), "cut \(cut)") { error in
                let message = "\(error)"
                switch error as? GGUFError {
                case .truncated?:
                    XCTAssertTrue(message.contains("truncated") && message.contains("offset"), message)
                case .tensorOutOfBounds?:
                    XCTAssertTrue(cut >= dataStart - 10, "cut \(cut) should be in the directory: \(message)")
                    XCTAssertTrue(message.contains("out of bounds"), message)
                default:
                    XCTFail("cut \(cut): unexpected \(message)")
                }
            }
        }
    }

    func testEmptyFileIsTruncated() throws {
        XCTAssertThrowsError(try open([])) { error in
            guard case .truncated(offset: 0, _, fileSize: 0)? = error as? GGUFError else { return XCTFail("\(error)") }
        }
    }

    func testWrongMagic() throws {
        var bytes = try validFile()
        bytes[0] = UInt8(ascii: "X")
        XCTAssertThrowsError(try open(bytes)) { error in
            guard case .badMagic? = error as? GGUFError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("magic"))
        }
    }

    func testUnsupportedVersion() throws {
        var bytes = try validFile()
        patch(&bytes, at: 4, UInt32(1))
        XCTAssertThrowsError(try open(bytes)) { error in
            XCTAssertEqual(error as? GGUFError, .unsupportedVersion(1))
            XCTAssertTrue("\(error)".contains("version 1"))
        }
    }

    func testVersion2IsAccepted() throws {
        var bytes = try validFile()
        patch(&bytes, at: 4, UInt32(2))
        XCTAssertEqual(try open(bytes).version, 2)
    }

    func testUnknownTensorType() throws {
        var bytes = try validFile()
        let at = try infoOffset(bytes, "blk.0.w") + 4 + 2 * 8
        patch(&bytes, at: at, UInt32(77))
        XCTAssertThrowsError(try open(bytes)) { error in
            XCTAssertEqual(error as? GGUFError, .unknownTensorType(name: "blk.0.w", type: 77))
            XCTAssertTrue("\(error)".contains("unknown tensor type 77"))
        }
    }

    func testTensorRowNotWholeBlocks() throws {
        var bytes = try validFile()
        patch(&bytes, at: try infoOffset(bytes, "blk.0.w") + 4, UInt64(33))
        XCTAssertThrowsError(try open(bytes)) { error in
            guard case .tensorSizeMismatch(name: "blk.0.w", elements: 33, blockElements: 32)? = error as? GGUFError
            else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("size mismatch"))
        }
    }

    func testTensorLargerThanFile() throws {
        var bytes = try validFile()
        patch(&bytes, at: try infoOffset(bytes, "blk.0.w") + 4 + 8, UInt64(1000))  // 1000 rows
        XCTAssertThrowsError(try open(bytes)) { error in
            guard case .tensorOutOfBounds(name: "blk.0.w", _, _, _)? = error as? GGUFError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("out of bounds"))
        }
    }

    func testTensorGrownIntoItsNeighbour() throws {
        var bytes = try validFile()
        // norm.weight claims 16 floats (64 bytes) where only 32 bytes lie before blk.0.w.
        patch(&bytes, at: try infoOffset(bytes, "norm.weight") + 4, UInt64(16))
        XCTAssertThrowsError(try open(bytes)) { error in
            XCTAssertEqual(error as? GGUFError, .tensorOverlap(name: "norm.weight", other: "blk.0.w"))
        }
    }

    func testTensorOffsetOutsideFileAndMisaligned() throws {
        var bytes = try validFile()
        let at = try infoOffset(bytes, "blk.0.w") + 4 + 2 * 8 + 4
        patch(&bytes, at: at, UInt64(1 << 40))
        XCTAssertThrowsError(try open(bytes)) { error in
            guard case .tensorOutOfBounds(name: "blk.0.w", _, _, _)? = error as? GGUFError else { return XCTFail("\(error)") }
        }
        patch(&bytes, at: at, UInt64(33))
        XCTAssertThrowsError(try open(bytes)) { error in
            guard case .tensorMisaligned(name: "blk.0.w", _, alignment: 32)? = error as? GGUFError else { return XCTFail("\(error)") }
        }
    }

    func testHugeCountsAreRejectedBeforeAllocating() throws {
        var bytes = try validFile()
        patch(&bytes, at: 8, UInt64.max)  // tensor_count
        XCTAssertThrowsError(try open(bytes)) { error in
            guard case .implausibleCount(_, _, offset: 8)? = error as? GGUFError else { return XCTFail("\(error)") }
        }
        bytes = try validFile()
        patch(&bytes, at: 24, UInt64(1 << 50))  // length of the first key
        XCTAssertThrowsError(try open(bytes)) { error in
            guard case .implausibleCount(_, _, offset: 24)? = error as? GGUFError else { return XCTFail("\(error)") }
        }
    }

    func testUnknownMetadataValueType() throws {
        var bytes = try validFile()
        let keyLen = "general.architecture".utf8.count
        patch(&bytes, at: 24 + 8 + keyLen, UInt32(99))
        XCTAssertThrowsError(try open(bytes)) { error in
            XCTAssertEqual(error as? GGUFError, .unknownValueType(key: "general.architecture", type: 99, offset: 32 + keyLen))
        }
    }

    func testMissingFile() {
        XCTAssertThrowsError(try GGUFFile(path: "/nonexistent/x.gguf")) { error in
            guard case .cannotOpen? = error as? GGUFError else { return XCTFail("\(error)") }
        }
    }
}
