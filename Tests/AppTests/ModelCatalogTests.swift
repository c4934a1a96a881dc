import Foundation
import XCTest
@testable import App

final class ModelCatalogTests: XCTestCase {
    /// The names and files agree with scripts/fetch-model.sh, which fetches them.
    func testCatalogMatchesTheFetchScript() throws {
        let script = try String(contentsOf: SettingsTests.repositoryRoot.appendingPathComponent("scripts/fetch-model.sh"), encoding: .utf8)
        var scripted: [String: String] = [:]
        for line in script.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
            if fields.count == 6, fields[1].hasSuffix(".gguf") { scripted[String(fields[0])] = String(fields[1]) }
        }
        XCTAssertEqual(scripted, Dictionary(uniqueKeysWithValues: ModelCatalog.files.map { ($0.name, $0.file) }))
        XCTAssertNotNil(scripted[ModelCatalog.defaultName])
    }

    func testNamesResolveInTheModelDirectory() throws {
        let dir = NSTemporaryDirectory() + "kvserve-models-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let environment = ["KVSERVE_MODEL_DIR": dir]

        XCTAssertThrowsError(try ModelCatalog.resolve("gemma3-270m", environment: environment)) { error in
            XCTAssertTrue("\(error)".contains("run `scripts/fetch-model.sh gemma3-270m`"), "\(error)")
            XCTAssertTrue("\(error)".contains(dir + "/gemma-3-270m.Q4_K_M.gguf"), "\(error)")
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/gemma-3-270m.Q4_K_M.gguf", contents: Data()))
        XCTAssertEqual(try ModelCatalog.resolve("gemma3-270m", environment: environment), dir + "/gemma-3-270m.Q4_K_M.gguf")
        // A path is taken as it is.
        XCTAssertEqual(try ModelCatalog.resolve(dir + "/gemma-3-270m.Q4_K_M.gguf", environment: environment),
                       dir + "/gemma-3-270m.Q4_K_M.gguf")
        XCTAssertThrowsError(try ModelCatalog.resolve("llama-9000", environment: environment)) { error in
            XCTAssertTrue("\(error)".contains("--model 'llama-9000'"), "\(error)")
            XCTAssertTrue("\(error)".contains("qwen2.5-coder-0.5b"), "\(error)")
        }
    }

    func testModelDirectoryDefaultsToTheUserCache() {
        XCTAssertEqual(ModelCatalog.directory(environment: ["XDG_CACHE_HOME": "/c"]), "/c/kvserve")
        XCTAssertEqual(ModelCatalog.directory(environment: ["KVSERVE_MODEL_DIR": "/m", "XDG_CACHE_HOME": "/c"]), "/m")
        XCTAssertEqual(ModelCatalog.directory(environment: [:]), NSHomeDirectory() + "/.cache/kvserve")
    }
}
