import Foundation
import LowBitCore
import LowBitIO
import Testing

/// The real files some tests read. Absent: the test skips with a message, unless LOWBIT_REQUIRE_ASSETS=1
/// (CI fetches them first), where absence is a failure.
enum IOTestFiles {
    static var defaultModelPath: String { DefaultAssets.modelPath }

    /// The path if the file exists; otherwise records a skip note (or an issue when assets are required).
    static func require(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        if FileManager.default.fileExists(atPath: path) { return path }
        if getEnvironment("LOWBIT_REQUIRE_ASSETS") == "1" {
            Issue.record("required asset missing: \(path) (run `lowbit fetch`)", sourceLocation: sourceLocation)
        } else {
            print("skipping: \(path) is absent (run `lowbit fetch`; set LOWBIT_REQUIRE_ASSETS=1 to make this fail)")
        }
        return nil
    }

    /// Writes `bytes` to dir/name and returns the path.
    static func write(_ bytes: [UInt8], name: String, in dir: String) throws -> String {
        let path = dir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A fresh private folder for a test's files.
    static func temporaryDirectory(_ label: String) throws -> String {
        let dir = NSTemporaryDirectory() + "lowbit-io-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
