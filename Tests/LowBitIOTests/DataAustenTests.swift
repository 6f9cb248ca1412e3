import Foundation
import LowBitCore
import Testing
@testable import LowBitIO

/// Builds R lazy-load databases the way R writes them (XDR serialization, [u32 BE length][zlib] records).
enum RDataBuilder {
    static func int32(_ value: Int32, into out: inout [UInt8]) {
        let bits = UInt32(bitPattern: value)
        out += [UInt8(bits >> 24), UInt8((bits >> 16) & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8(bits & 0xFF)]
    }

    static func header(version: Int32) -> [UInt8] {
        var out = Array("X\n".utf8)
        int32(version, into: &out)
        int32(0x040201, into: &out)
        int32(0x030500, into: &out)
        if version == 3 {
            int32(5, into: &out)
            out += Array("UTF-8".utf8)
        }
        return out
    }

    /// A character vector; nil elements are NA.
    static func strings(_ lines: [String?], version: Int32 = 3) -> [UInt8] {
        var out = header(version: version)
        int32(16, into: &out)
        int32(Int32(lines.count), into: &out)
        for line in lines {
            guard let line else {
                int32(9, into: &out)
                int32(-1, into: &out)
                continue
            }
            let bytes = Array(line.utf8)
            int32(bytes.allSatisfy { $0 < 0x80 } ? 0x40009 : 0x8009, into: &out)
            int32(Int32(bytes.count), into: &out)
            out += bytes
        }
        return out
    }

    /// An integer vector (a record the Austen reader skips).
    static func integers(_ values: [Int32]) -> [UInt8] {
        var out = header(version: 3)
        int32(13, into: &out)
        int32(Int32(values.count), into: &out)
        for v in values { int32(v, into: &out) }
        return out
    }

    static func record(_ payload: [UInt8], announcedLength: Int? = nil) -> [UInt8] {
        var out = [UInt8]()
        int32(Int32(announcedLength ?? payload.count), into: &out)
        return out + DataTestData.zlibStored(payload, blockSize: 1000)
    }

    static let titles: [AustenNovel: String] = [
        .emma: "EMMA", .mansfieldpark: "MANSFIELD PARK", .northangerabbey: "NORTHANGER ABBEY",
        .persuasion: "Persuasion", .prideprejudice: "PRIDE AND PREJUDICE", .sensesensibility: "SENSE AND SENSIBILITY",
    ]

    static func novelLines(_ novel: AustenNovel) -> [String?] {
        [titles[novel]!, nil, "CHAPTER I", "It cost her \u{00A3}10 and a line for \(novel.rawValue).", "", nil, "THE END"]
    }

    static func expectedText(_ lines: [String?]) -> [UInt8] {
        Array(lines.map { $0 ?? "" }.joined(separator: "\n").utf8) + [10]
    }
}

@Suite("Data: R lazy-load database and Austen texts")
struct DataAustenTests {
    func parse(_ bytes: [UInt8]) throws -> [AustenNovel: RTextRecord] {
        try bytes.withUnsafeBytes { try AustenExtractor.novels(rdb: $0, name: "test.rdb") }
    }

    @Test func titlesNameTheFiles() {
        for (novel, title) in RDataBuilder.titles { #expect(AustenNovel(title: title) == novel) }
        #expect(AustenNovel(title: "LADY SUSAN") == nil)
        #expect(AustenNovel(title: "") == nil)
        #expect(AustenNovel.allCases.map(\.fileName).sorted() == AustenNovel.allCases.map(\.fileName))
    }

    @Test func syntheticDatabase() throws {
        var rdb = [UInt8]()
        for (index, novel) in AustenNovel.allCases.reversed().enumerated() {
            rdb += RDataBuilder.record(RDataBuilder.strings(RDataBuilder.novelLines(novel), version: index == 2 ? 2 : 3))
            if index == 1 { rdb += RDataBuilder.record(RDataBuilder.integers([1, 2, 3])) }  // skipped
        }
        let records = try rdb.withUnsafeBytes { try RLazyLoadDatabase.textRecords($0, name: "test.rdb") }
        #expect(records.count == 6)
        let novels = try parse(rdb)
        for novel in AustenNovel.allCases {
            let lines = RDataBuilder.novelLines(novel)
            #expect(novels[novel]?.text == RDataBuilder.expectedText(lines))
            #expect(novels[novel]?.lineCount == lines.count)
            #expect(novels[novel]?.firstLine == RDataBuilder.titles[novel])
        }
        let empty = try RDataBuilder.strings([]).withUnsafeBytes { try RLazyLoadDatabase.parseSerialized($0, name: "e") }
        #expect(empty?.text == [])
    }

    @Test func missingDuplicateOrUnknownNovels() throws {
        let records = AustenNovel.allCases.map { RDataBuilder.record(RDataBuilder.strings(RDataBuilder.novelLines($0))) }
        #expect(throws: LowBitError.self) { try parse(Array(records.dropLast().joined())) }
        #expect(throws: LowBitError.self) { try parse(Array(records.joined()) + records[0]) }
        let unknown = RDataBuilder.record(RDataBuilder.strings(["LADY SUSAN", "text"]))
        #expect(throws: LowBitError.self) { try parse(Array(records.joined()) + unknown) }
    }

    @Test func damagedRecordsAreErrors() throws {
        let payload = RDataBuilder.strings(RDataBuilder.novelLines(.emma))
        let good = RDataBuilder.record(payload)
        var cases: [(String, [UInt8])] = [
            ("length too large", RDataBuilder.record(payload, announcedLength: payload.count + 1)),
            ("length too small", RDataBuilder.record(payload, announcedLength: payload.count - 1)),
            ("huge length", RDataBuilder.record(payload, announcedLength: Int(Int32.max))),
            ("half a length", [0, 0]),
            ("truncated", Array(good.dropLast(9))),
            ("not XDR", RDataBuilder.record(Array("A\n".utf8) + payload.dropFirst(2))),
        ]
        // Offsets in a version-3 payload: 23 B of header, flags at 23, element count at 27, then the first
        // element's flags at 31 and its length at 35.
        #expect(payload[26] == 16 && payload[34] == 9)
        var lying = payload
        lying[28] = 0x7F  // element count ≈ 8 million: more than the record can hold
        cases.append(("count lie", RDataBuilder.record(lying)))
        var negative = payload
        negative[27] = 0x80  // negative element count
        cases.append(("negative count", RDataBuilder.record(negative)))
        var notString = payload
        notString[34] = 10  // first element is not a CHARSXP
        cases.append(("element type", RDataBuilder.record(notString)))
        var longString = payload
        longString[35] = 0x7F  // string length running past the record
        cases.append(("string length", RDataBuilder.record(longString)))
        var negativeLength = payload
        negativeLength[35] = 0xFF; negativeLength[38] = 0xFE  // length −2 (only −1 = NA is valid)
        cases.append(("negative length", RDataBuilder.record(negativeLength)))
        for (label, bytes) in cases {
            #expect(throws: LowBitError.self, "\(label)") {
                try bytes.withUnsafeBytes { try RLazyLoadDatabase.textRecords($0, name: label) }
            }
        }
        #expect(try good.withUnsafeBytes { try RLazyLoadDatabase.textRecords($0, name: "good") }.count == 1)
    }

    /// The real package, when its .deb is in the cache: unpack with dpkg-deb, parse, check every file's size
    /// and line count (design note §5.1) and the pinned hash of the six files together.
    @Test func realPackageWhenPresent() throws {
        guard let deb = DataTestData.cachedDownload(DefaultAssets.debFileName),
              DefaultAssets.findExecutable("dpkg-deb") != nil else {
            #expect(!DataTestData.requireAssets, "LOWBIT_REQUIRE_ASSETS=1 but the .deb or dpkg-deb is missing")
            print("DataAustenTests.realPackageWhenPresent: no cached .deb or no dpkg-deb, skipped")
            return
        }
        let folder = try DataTestData.makeTemporaryDirectory()
        defer { AssetFiles.remove(folder) }
        try DefaultAssets.extractAusten(deb: deb, into: folder + "/austen", scratch: folder, progress: false)
        let lineCounts: [AustenNovel: Int] = [.emma: 16235, .mansfieldpark: 15349, .northangerabbey: 7856,
                                              .persuasion: 8328, .prideprejudice: 13030, .sensesensibility: 12624]
        var all = [UInt8]()
        for novel in AustenNovel.allCases {
            let bytes = try #require(FileManager.default.contents(atPath: folder + "/austen/" + novel.fileName))
            #expect(bytes.count == novel.expectedByteCount, "\(novel)")
            #expect(bytes.count(where: { $0 == 10 }) == lineCounts[novel], "\(novel)")
            all += bytes
        }
        #expect(all.count == 4_025_029)
        #expect(SHA256.hexDigest(all) == DefaultAssets.austenSHA256)
        #expect(String(decoding: all, as: UTF8.self).contains("\u{00A3}"))
        // Only the six texts are left behind (no temporaries, the unpacked package is gone).
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(left == ["austen"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/austen").count == 6)
    }
}
