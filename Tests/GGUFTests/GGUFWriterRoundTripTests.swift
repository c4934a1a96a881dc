import XCTest
@testable import GGUF
import TestSupport

final class GGUFWriterRoundTripTests: XCTestCase {
    func testRoundTripMetadataAndTensors() throws {
        var w = GGUFWriter()
        w.set("general.architecture", .string("llama"))
        w.set("llama.block_count", .uint32(2))
        w.set("llama.rope.freq_base", .float32(10000))
        w.set("some.int64", .int64(-5))
        w.set("some.f64", .float64(0.25))
        w.set("some.bool", .bool(true))
        w.set("tokenizer.ggml.tokens", .array([.string("a"), .string("é"), .string("<|im_end|>")]))
        w.set("tokenizer.ggml.token_type", .array([.int32(1), .int32(1), .int32(3)]))
        w.set("tokenizer.ggml.scores", .array([.float32(0), .float32(-1), .float32(-2)]))
        w.set("nested", .array([.array([.uint8(1)]), .array([.uint8(2), .uint8(3)])]))
        let norm: [Float] = [1, 2, 3, 4]
        try w.addTensor(name: "norm.weight", dims: [4], floats: norm)
        let q = [UInt8](repeating: 7, count: 2 * GGMLType.q4_1.blockBytes * 3)
        try w.addTensor(name: "w.weight", dims: [64, 3], type: .q4_1, bytes: q)

        let path = try GGUFTestFile.write(w)
        let f = try GGUFFile(path: path)
        XCTAssertEqual(f.version, 3)
        XCTAssertEqual(try f.string("general.architecture"), "llama")
        XCTAssertEqual(try f.int("llama.block_count"), 2)
        XCTAssertEqual(try f.float("llama.rope.freq_base"), 10000)
        XCTAssertEqual(try f.int("some.int64"), -5)
        XCTAssertEqual(try f.float("some.f64"), 0.25)
        XCTAssertEqual(try f.bool("some.bool"), true)
        XCTAssertEqual(try f.stringArray("tokenizer.ggml.tokens"), ["a", "é", "<|im_end|>"])
        XCTAssertEqual(try f.intArray("tokenizer.ggml.token_type"), [1, 1, 3])
        XCTAssertEqual(try f.floatArray("tokenizer.ggml.scores"), [0, -1, -2])
        XCTAssertEqual(f.metadata["nested"], .array([.array([.uint8(1)]), .array([.uint8(2), .uint8(3)])]))
        XCTAssertEqual(f.metadataKeys.first, "general.architecture")
        XCTAssertNil(f.optionalInt("absent"))
        XCTAssertEqual(f.optionalString("general.architecture"), "llama")

        XCTAssertEqual(f.tensors.map(\.name), ["norm.weight", "w.weight"])
        let n = try XCTUnwrap(f.tensor(named: "norm.weight"))
        XCTAssertEqual(n.dims, [4])
        XCTAssertEqual(n.type, .f32)
        XCTAssertEqual(n.offset % 32, 0)
        let p = f.data(of: n).assumingMemoryBound(to: Float.self)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: p, count: 4)), norm)
        let t = try XCTUnwrap(f.tensor(named: "w.weight"))
        XCTAssertEqual(t.dims, [64, 3])
        XCTAssertEqual(t.elementCount, 192)
        XCTAssertEqual(t.byteCount, q.count)
        XCTAssertEqual(t.offset % 32, 0)
        let raw = UnsafeRawBufferPointer(start: f.data(of: t), count: t.byteCount)
        XCTAssertEqual(Array(raw), q)
    }

    func testCustomAlignmentIsRecordedAndHonoured() throws {
        var w = GGUFWriter(alignment: 64)
        try w.addTensor(name: "a", dims: [3], floats: [1, 2, 3])
        try w.addTensor(name: "b", dims: [5], floats: [1, 2, 3, 4, 5])
        let f = try GGUFFile(path: try GGUFTestFile.write(w))
        XCTAssertEqual(f.alignment, 64)
        XCTAssertEqual(try f.int("general.alignment"), 64)
        for t in f.tensors { XCTAssertEqual(t.offset % 64, 0, t.name) }
    }

    func testTypedAccessErrorsNameTheKey() throws {
        var w = GGUFWriter()
        w.set("k.string", .string("x"))
        let f = try GGUFFile(path: try GGUFTestFile.write(w))
        XCTAssertThrowsError(try f.int("k.missing")) { error in
            XCTAssertEqual(error as? GGUFError, .missingKey("k.missing"))
            XCTAssertTrue("\(error)".contains("k.missing"))
        }
        XCTAssertThrowsError(try f.int("k.string")) { error in
            guard case .wrongType(let key, _, let found)? = error as? GGUFError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "k.string")
            XCTAssertEqual(found, "string")
            XCTAssertTrue("\(error)".contains("k.string"))
        }
    }

    func testIdentityIsStableAndDistinguishesFiles() throws {
        var w = GGUFWriter()
        w.set("a", .uint32(1))
        let p1 = try GGUFTestFile.write(w)
        let p2 = try GGUFTestFile.write(w)
        w.set("a", .uint32(2))
        let p3 = try GGUFTestFile.write(w)
        let (f1, f2, f3) = (try GGUFFile(path: p1), try GGUFFile(path: p2), try GGUFFile(path: p3))
        XCTAssertEqual(f1.identity, f2.identity)
        XCTAssertNotEqual(f1.identity, f3.identity)
    }

    func testWriterRejectsWrongByteCount() {
        var w = GGUFWriter()
        XCTAssertThrowsError(try w.addTensor(name: "x", dims: [32], type: .q8_0, bytes: [0, 1]))
        XCTAssertThrowsError(try w.addTensor(name: "y", dims: [33], type: .q8_0, bytes: []))
    }
}
