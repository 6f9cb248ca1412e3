import Foundation
import LowBitCore
import Testing
@testable import LowBitIO

@Suite("Data: ZIP and CRC-32")
struct DataZipTests {
    @Test func crc32KnownValues() {
        #expect(CRC32.checksum([]) == 0)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
        // Slicing-by-8 against the bitwise definition, for every length 0...40 (tail handling).
        let data = DataTestData.randomBytes(seed: 3, count: 40)
        for n in 0...40 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in data[0..<n] {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
            }
            #expect(CRC32.checksum(Array(data[0..<n])) == ~crc, "length \(n)")
        }
    }

    func writeTestZip(_ bytes: [UInt8]) throws -> (folder: String, path: String) {
        let folder = try DataTestData.makeTemporaryDirectory()
        let path = folder + "/test.zip"
        try AssetFiles.writeAtomically(bytes, to: path)
        return (folder, path)
    }

    @Test func readsPythonZip() throws {
        let (folder, path) = try writeTestZip(DataTestData.base64(testZipBase64))
        defer { AssetFiles.remove(folder) }
        let zip = try ZipArchive(path: path)
        #expect(zip.entries.map(\.name) == ["hello.txt", "pkg/data.bin", "pkg/empty", "pkg/random.bin"])
        #expect(zip.entries.map(\.method) == [0, 8, 8, 8])
        #expect(try zip.extract(zip.entry(named: "hello.txt")!) == Array("Hello, wheel!\n".utf8))
        #expect(try zip.extract(zip.entry(named: "pkg/data.bin")!) == DataTestData.text(seed: 21, count: 5000))
        #expect(try zip.extract(zip.entry(named: "pkg/empty")!) == [])
        #expect(try zip.extract(zip.entry(named: "pkg/random.bin")!) == DataTestData.randomBytes(seed: 22, count: 700))
        #expect(zip.entry(named: "missing") == nil)
        let destination = folder + "/out.bin"
        try zip.extract(zip.entry(named: "pkg/data.bin")!, to: destination)
        #expect(FileManager.default.contents(atPath: destination).map { [UInt8]($0) } == DataTestData.text(seed: 21, count: 5000))
    }

    @Test func corruptMemberFailsItsCRC() throws {
        var bytes = DataTestData.base64(testZipBase64)
        // Flip one byte inside the stored member's data (local header 30 B + "hello.txt" 9 B).
        bytes[30 + 9 + 2] ^= 0x20
        let (folder, path) = try writeTestZip(bytes)
        defer { AssetFiles.remove(folder) }
        let zip = try ZipArchive(path: path)
        #expect(throws: LowBitError.self) { try zip.extract(zip.entry(named: "hello.txt")!) }
        #expect(try zip.extract(zip.entry(named: "pkg/empty")!) == [])
    }

    @Test func truncatedAndForeignFilesAreErrors() throws {
        let bytes = DataTestData.base64(testZipBase64)
        for cut in [0, 10, 21, bytes.count / 2, bytes.count - 23, bytes.count - 1] {
            let (folder, path) = try writeTestZip(Array(bytes[0..<cut]))
            defer { AssetFiles.remove(folder) }
            #expect(throws: LowBitError.self, "cut \(cut)") { _ = try ZipArchive(path: path) }
        }
        // The central directory points at a missing local header.
        var shifted = bytes
        let eocd = shifted.count - 22 - 12
        #expect(shifted[eocd] == 0x50 && shifted[eocd + 1] == 0x4B)
        let directoryOffset = Int(shifted[eocd + 16]) | Int(shifted[eocd + 17]) << 8
        shifted[directoryOffset + 42] &+= 1  // first entry's local header offset
        let (folder, path) = try writeTestZip(shifted)
        defer { AssetFiles.remove(folder) }
        let zip = try ZipArchive(path: path)
        #expect(throws: LowBitError.self) { try zip.extract(zip.entries[0]) }
        #expect(throws: LowBitError.self) { _ = try ZipArchive(path: folder + "/absent.zip") }
    }

    /// The real wheel, when it is in the cache: its directory lists the model member with the pinned size.
    /// (The member itself is extracted and hash-checked in DataFetchTests, once.)
    @Test func realWheelDirectoryWhenPresent() throws {
        guard let wheel = DataTestData.cachedDownload(DefaultAssets.wheelFileName) else {
            #expect(!DataTestData.requireAssets, "LOWBIT_REQUIRE_ASSETS=1 but \(DefaultAssets.wheelFileName) is not in the cache")
            print("DataZipTests.realWheelDirectoryWhenPresent: no cached wheel, skipped")
            return
        }
        let zip = try ZipArchive(path: wheel)
        let entry = try #require(zip.entry(named: DefaultAssets.wheelMember))
        #expect(entry.uncompressedSize == DefaultAssets.modelByteCount)
        #expect(entry.method == 8)
        #expect(zip.entries.contains { $0.name.hasSuffix(".dist-info/METADATA") })
    }
}
