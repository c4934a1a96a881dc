import XCTest
import GGUF

/// The default model parses; expected counts come from gguf-py's GGUFReader on the same file.
final class GGUFModelFileTests: XCTestCase {
    func testDefaultModelParses() throws {
        let path = GGUFTestFile.modelPath
        guard FileManager.default.fileExists(atPath: path) else {
            return XCTFail("model missing at \(path): run scripts/fetch-model.sh")
        }
        let f = try GGUFFile(path: path)
        XCTAssertEqual(f.version, 3)
        XCTAssertEqual(f.tensors.count, 272)
        XCTAssertEqual(f.tensors.filter { $0.type == .q4_1 }.count, 210)
        XCTAssertEqual(f.tensors.filter { $0.type == .f32 }.count, 61)
        XCTAssertEqual(try f.string("general.architecture"), "llama")
        XCTAssertEqual(try f.int("llama.block_count"), 30)
        XCTAssertEqual(try f.int("llama.embedding_length"), 576)
        XCTAssertEqual(try f.int("llama.feed_forward_length"), 1536)
        XCTAssertEqual(try f.int("llama.attention.head_count"), 9)
        XCTAssertEqual(try f.int("llama.attention.head_count_kv"), 3)
        XCTAssertEqual(try f.float("llama.rope.freq_base"), 100000)
        XCTAssertEqual(try f.stringArray("tokenizer.ggml.tokens").count, 49152)
        let embd = try XCTUnwrap(f.tensor(named: "token_embd.weight"))
        XCTAssertEqual(embd.type, .q8_0)
        XCTAssertEqual(embd.dims, [576, 49152])
        XCTAssertEqual(embd.offset, 1_785_664)  // gguf-py ReaderTensor.data_offset
        XCTAssertNil(f.tensor(named: "output.weight"))
        XCTAssertEqual(try XCTUnwrap(f.tensor(named: "blk.0.attn_k.weight")).dims, [576, 192])
        XCTAssertTrue(f.identity.hasPrefix("gguf-"))
    }
}
