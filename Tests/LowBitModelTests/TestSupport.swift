import Foundation
import LowBitCore
@testable import LowBitModel

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// Asset-gated tests: skip when absent, fail when LOWBIT_REQUIRE_ASSETS=1.
enum Assets {
    static var modelPath: String { ModelLoader.defaultModelPath() }
    static var austenPath: String { lowbitCacheDirectory() + "/texts/austen/prideprejudice.txt" }
    static var required: Bool { getEnvironment("LOWBIT_REQUIRE_ASSETS") == "1" }
    static var haveModel: Bool { FileManager.default.fileExists(atPath: modelPath) || required }
    static var haveAusten: Bool { (FileManager.default.fileExists(atPath: modelPath) && FileManager.default.fileExists(atPath: austenPath)) || required }

    nonisolated(unsafe) static var cachedModel: LoadedModel?
    static let lock = NSLock()
    static func model() throws -> LoadedModel {
        lock.lock(); defer { lock.unlock() }
        if let m = cachedModel { return m }
        let m = try ModelLoader.load(path: modelPath)
        cachedModel = m
        return m
    }
}
