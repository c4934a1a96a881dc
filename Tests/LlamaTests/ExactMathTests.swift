import Foundation
import GGUF
import Kernels
import XCTest
@testable import Llama
import TestSupport

/// Separates model maths from quantization error: the default model's tensors dequantized
/// to F32 (with the Kernels dequantizer, which its own tests pin to gguf-py) run through
/// the F32 kernel path, which quantizes nothing. That is the reference's exact computation,
/// so logits must match it to f32 rounding.
final class ExactMathTests: XCTestCase {
    // f32 with a different summation order through 30 layers: measured max |diff| 4e-5..5e-5
    // (logits ~±20, about 1 ulp x depth); 1e-3 still catches any maths difference (>1e-2).
    let tolerance: Float = 1e-3

    func testF32WeightsMatchReferenceLogits() throws {
        guard DefaultModel.load() != nil else { return }
        let path = NSTemporaryDirectory() + "kvserve-f32-\(UUID().uuidString).gguf"
        defer { unlink(path) }
        try writeF32Copy(of: DefaultModel.path, to: path)  // ~540 MB, written and removed by the test
        let model = try LlamaModel(file: GGUFFile(path: path), threads: 2)
        let prompts = try Fixtures.json("prompts.json", as: PromptsFile.self).prompts
        for p in prompts where p.full_logits_file != nil {
            let want = try Fixtures.floats(p.full_logits_file ?? "")
            var cache = model.makeCache(type: .f32)  // exact: nothing quantized, the cache included
            let got = try model.forward(p.ids, cache: &cache)
            let d = maxAbsDiff(got, want)
            print("f32 weights, \(p.full_logits_file ?? ""): max |diff| \(d)")
            XCTAssertLessThanOrEqual(d, tolerance, p.text)
        }
    }

    private func writeF32Copy(of source: String, to path: String) throws {
        let f = try GGUFFile(path: source)
        var w = GGUFWriter()
        for key in f.metadataKeys {
            if let v = f.metadata[key] { w.set(key, v) }
        }
        for t in f.tensors {
            guard let format = BlockFormat(rawValue: t.type.rawValue) else {
                XCTFail("tensor \(t.name) has type \(t.type) the kernels cannot dequantize")
                return
            }
            let values = Kernels.dequantize(format, f.data(of: t), count: t.elementCount)
            try w.addTensor(name: t.name, dims: t.dims, floats: values)
        }
        try w.write(to: path)
    }
}
