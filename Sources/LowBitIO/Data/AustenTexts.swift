import LowBitCore

/// The six Jane Austen novels of the Debian package r-cran-janeaustenr (design note models-and-data.md §5.1).
public enum AustenNovel: String, CaseIterable, Sendable {
    case emma, mansfieldpark, northangerabbey, persuasion, prideprejudice, sensesensibility

    public var fileName: String { rawValue + ".txt" }

    /// Size in bytes of the extracted text file (pinned; an existing file of another size is fetched again).
    public var expectedByteCount: Int {
        switch self {
        case .emma: 883_028
        case .mansfieldpark: 883_280
        case .northangerabbey: 433_411
        case .persuasion: 466_854
        case .prideprejudice: 684_768
        case .sensesensibility: 673_688
        }
    }

    /// The novel whose first line (its title) is `title`: lower-cased, "and" dropped, letters only
    /// ("PRIDE AND PREJUDICE" → prideprejudice, "Persuasion" → persuasion).
    public init?(title: String) {
        let words = title.lowercased().split(whereSeparator: { !$0.isLetter }).filter { $0 != "and" }
        self.init(rawValue: words.joined())
    }
}

/// One character vector (STRSXP) of an R lazy-load database, as the lines of a text.
public struct RTextRecord: Sendable, Equatable {
    /// The elements joined with "\n" plus a final "\n" (NA elements are empty lines), UTF-8 bytes as stored.
    public let text: [UInt8]
    public let lineCount: Int
    /// The first element (empty when the vector is empty).
    public let firstLine: String
}

/// Reads R lazy-load databases (`*.rdb`): back-to-back records of [u32 BE uncompressed length][zlib stream],
/// each an R serialization (XDR, version 2 or 3). Only character vectors are decoded; records of other types
/// are skipped. Everything is bounds-checked: a damaged file is a `LowBitError` naming the record.
public enum RLazyLoadDatabase {
    /// Largest record accepted (the Austen records are under 1 MB).
    public static let maxRecordSize = 256 << 20

    /// The character-vector records of `bytes` in file order.
    public static func textRecords(_ bytes: UnsafeRawBufferPointer, name: String) throws -> [RTextRecord] {
        var records = [RTextRecord]()
        var offset = 0
        var index = 0
        while offset < bytes.count {
            let what = "\(name) record \(index) (offset \(offset))"
            guard offset + 4 <= bytes.count else { throw LowBitError.invalidFile(what, "truncated record length") }
            let length = Int(readBE32(bytes, offset))
            guard length <= maxRecordSize else {
                throw LowBitError.invalidFile(what, "announces \(length) B, over the limit of \(maxRecordSize) B")
            }
            let stream = UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)...])
            let (payload, used) = try Inflate.zlibDecompress(stream, expectedSize: length, maxOutputSize: length, name: what)
            if let record = try payload.withUnsafeBytes({ try parseSerialized($0, name: what) }) {
                records.append(record)
            }
            offset += 4 + used
            index += 1
        }
        return records
    }

    /// Decodes one serialized object; nil when it is not a character vector.
    public static func parseSerialized(_ bytes: UnsafeRawBufferPointer, name: String) throws -> RTextRecord? {
        var reader = XDRReader(bytes: bytes, name: name)
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "X"), bytes[1] == UInt8(ascii: "\n") else {
            throw LowBitError.unsupported("\(name): not an R XDR serialization (only the 'X\\n' binary format is read)")
        }
        reader.offset = 2
        let version = try reader.int32()
        guard version == 2 || version == 3 else {
            throw LowBitError.unsupported("\(name): R serialization version \(version) (2 and 3 are read)")
        }
        _ = try reader.int32()  // writer's R version
        _ = try reader.int32()  // oldest R version that can read it
        if version == 3 {
            let encodingLength = try reader.int32()
            guard encodingLength >= 0, encodingLength <= 64 else {
                throw LowBitError.invalidFile(name, "native encoding name of \(encodingLength) B")
            }
            _ = try reader.bytes(Int(encodingLength))
        }
        let flags = try reader.int32()
        guard flags & 0xFF == 16 else { return nil }  // not a STRSXP: skip
        let count = try reader.int32()
        if count == -1 { throw LowBitError.unsupported("\(name): long character vector (over 2^31 elements)") }
        guard count >= 0 else { throw LowBitError.invalidFile(name, "negative element count \(count)") }
        // Each element takes at least 8 bytes: a count beyond that is a lie, not a reason to allocate.
        guard Int(count) <= (bytes.count - reader.offset) / 8 else {
            throw LowBitError.invalidFile(name, "announces \(count) strings, more than the record can hold")
        }
        var text = [UInt8]()
        text.reserveCapacity(bytes.count)
        var firstLine = ""
        for element in 0..<Int(count) {
            let charFlags = try reader.int32()
            guard charFlags & 0xFF == 9 else {
                throw LowBitError.invalidFile(name, "element \(element) is R type \(charFlags & 0xFF), not a string (9)")
            }
            let length = try reader.int32()
            if length == -1 {
                // NA_character_: an empty line.
            } else {
                guard length >= 0 else { throw LowBitError.invalidFile(name, "element \(element) has length \(length)") }
                let line = try reader.bytes(Int(length))
                text.append(contentsOf: line)
                if element == 0 { firstLine = String(decoding: line, as: UTF8.self) }
            }
            text.append(UInt8(ascii: "\n"))
        }
        return RTextRecord(text: text, lineCount: Int(count), firstLine: firstLine)
    }
}

/// The Austen novels from the package's `Rdata.rdb`.
public enum AustenExtractor {
    /// Where the data file sits inside the unpacked .deb.
    public static let rdbPathInPackage = "usr/lib/R/site-library/janeaustenr/data/Rdata.rdb"

    /// Parses the database; every novel must be present exactly once (named by its title line).
    public static func novels(rdbPath: String) throws -> [AustenNovel: RTextRecord] {
        let file = try ArchiveFileMapping(path: rdbPath)
        return try novels(rdb: file.bytes, name: rdbPath)
    }

    public static func novels(rdb: UnsafeRawBufferPointer, name: String) throws -> [AustenNovel: RTextRecord] {
        var result = [AustenNovel: RTextRecord]()
        for record in try RLazyLoadDatabase.textRecords(rdb, name: name) {
            guard let novel = AustenNovel(title: record.firstLine) else {
                throw LowBitError.invalidFile(name, "unexpected text titled '\(record.firstLine.prefix(60))'")
            }
            guard result[novel] == nil else { throw LowBitError.invalidFile(name, "\(novel.rawValue) appears twice") }
            result[novel] = record
        }
        let missing = AustenNovel.allCases.filter { result[$0] == nil }
        guard missing.isEmpty else {
            throw LowBitError.invalidFile(name, "missing novels: \(missing.map(\.rawValue).joined(separator: ", "))")
        }
        return result
    }
}

private struct XDRReader {
    let bytes: UnsafeRawBufferPointer
    let name: String
    var offset = 0

    mutating func int32() throws -> Int32 {
        guard offset + 4 <= bytes.count else { throw LowBitError.invalidFile(name, "serialization truncated at byte \(offset)") }
        let value = Int32(bitPattern: readBE32(bytes, offset))
        offset += 4
        return value
    }

    mutating func bytes(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count <= bytes.count - offset else {
            throw LowBitError.invalidFile(name, "string of \(count) B runs past the end of the record (byte \(offset))")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return slice
    }
}

@inline(__always)
private func readBE32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
}
