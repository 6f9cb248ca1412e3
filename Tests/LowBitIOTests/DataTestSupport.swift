import Foundation
import LowBitCore
@testable import LowBitIO

/// Deterministic test data shared by the Data* suites. The generators are replicated exactly in the Python
/// script that produced the embedded vectors (DataInflateVectors.swift), so both sides agree byte for byte.
typealias DataTestRandom = SplitMix64

enum DataTestData {
    static func randomBytes(seed: UInt64, count: Int) -> [UInt8] {
        var rng = DataTestRandom(seed: seed)
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count {
            let v = rng.next()
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
        }
        return Array(out.prefix(count))
    }

    static let words = ("the of and to a in was her it she that not you he his be as had with for but is have at by on "
        + "him my so all which could been would no very said were mr mrs miss elizabeth emma anne darcy fanny quite "
        + "must being such much think more than").split(separator: " ").map { Array($0.utf8) }

    /// Austen-flavoured word salad: words with spaces, commas, full stops and newlines.
    static func text(seed: UInt64, count: Int) -> [UInt8] {
        var rng = DataTestRandom(seed: seed)
        var out = [UInt8]()
        while out.count < count {
            let v = rng.next()
            out += words[Int(v % UInt64(words.count))]
            switch (v >> 32) % 16 {
            case 0: out += Array("\n".utf8)
            case 1: out += Array(", ".utf8)
            case 2: out += Array(". ".utf8)
            default: out += Array(" ".utf8)
            }
        }
        return Array(out.prefix(count))
    }

    /// Four 300-byte random chunks separated by runs of one letter (0..<33000 long).
    static func farRepeats(seed: UInt64, count: Int) -> [UInt8] {
        var rng = DataTestRandom(seed: seed)
        let chunks = (0..<4).map { randomBytes(seed: seed * 100 + UInt64($0), count: 300) }
        var out = [UInt8]()
        var k = 0
        while out.count < count {
            out += chunks[Int(rng.next() % 4)]
            out += [UInt8](repeating: 0x41 + UInt8(k % 26), count: Int(rng.next() % 33000))
            k += 1
        }
        return Array(out.prefix(count))
    }

    /// A zlib stream of stored blocks of at most `blockSize` bytes (a valid encoder simple enough to trust).
    static func zlibStored(_ data: [UInt8], blockSize: Int = 65535) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(blockSize, data.count - offset)
            let isFinal = offset + n == data.count
            out.append(isFinal ? 1 : 0)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<(offset + n)]
            offset += n
        } while offset < data.count
        let adler = data.withUnsafeBytes { Adler32.checksum($0) }
        out += [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
        return out
    }

    static func makeTemporaryDirectory() throws -> String {
        try AssetFiles.makeTemporaryDirectory(in: NSTemporaryDirectory(), prefix: "lowbit-data-test")
    }

    static var requireAssets: Bool { ProcessInfo.processInfo.environment["LOWBIT_REQUIRE_ASSETS"] == "1" }

    /// A real download (wheel, .deb) in the user's cache folder, if present.
    static func cachedDownload(_ name: String) -> String? {
        let path = DefaultAssets.downloadsDirectory(cache: lowbitCacheDirectory()) + "/" + name
        return AssetFiles.exists(path) ? path : nil
    }

    /// Runs a tool found on PATH and returns its standard output; throws when it fails.
    static func run(_ arguments: [String], input: [UInt8]? = nil) throws -> [UInt8] {
        guard let executable = DefaultAssets.findExecutable(arguments[0]) else {
            throw LowBitError.notFound("\(arguments[0]) not on PATH")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        let folder = try makeTemporaryDirectory()
        defer { AssetFiles.remove(folder) }
        // Files, not pipes, for both directions: no deadlock whatever the sizes.
        let outputPath = folder + "/stdout"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        if let input {
            let inputPath = folder + "/stdin"
            _ = FileManager.default.createFile(atPath: inputPath, contents: Data(input))
            process.standardInput = FileHandle(forReadingAtPath: inputPath)
        }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LowBitError(.io, "\(arguments.joined(separator: " ")) failed (\(process.terminationStatus))")
        }
        return [UInt8](FileManager.default.contents(atPath: outputPath) ?? Data())
    }
}
