import LowBitCore

/// Read-only ZIP archive (PKWARE APPNOTE 6.3), enough for Python wheels: end-of-central-directory record,
/// central directory, local headers, stored (0) and deflate (8) members, CRC-32 checked. No ZIP64, no
/// encryption, no multi-disk archives (each is a clear `unsupported` error).
public final class ZipArchive: @unchecked Sendable {
    // Immutable after init (the mapping is read-only), so it is safe to share between threads.

    public struct Entry: Sendable, Equatable {
        public let name: String
        /// 0 = stored, 8 = deflate.
        public let method: UInt16
        public let flags: UInt16
        public let crc32: UInt32
        public let compressedSize: Int
        public let uncompressedSize: Int
        public let localHeaderOffset: Int
    }

    public let path: String
    public let entries: [Entry]
    private let file: ArchiveFileMapping

    public init(path: String) throws {
        self.path = path
        file = try ArchiveFileMapping(path: path)
        entries = try ZipArchive.readCentralDirectory(file.bytes, path: path)
    }

    public func entry(named name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// The member's bytes, decompressed and CRC-checked. `maxSize` guards against absurd announced sizes.
    public func extract(_ entry: Entry, maxSize: Int = 1 << 33) throws -> [UInt8] {
        let what = "\(path) member \(entry.name)"
        guard entry.uncompressedSize <= maxSize else {
            throw LowBitError.invalidFile(what, "announces \(entry.uncompressedSize) B, over the limit of \(maxSize) B")
        }
        guard entry.flags & 1 == 0 else { throw LowBitError.unsupported("\(what): encrypted ZIP members are not supported") }
        let data = try memberData(entry, what: what)
        let output: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw LowBitError.invalidFile(what, "stored member with different compressed and uncompressed sizes")
            }
            output = [UInt8](data)
        case 8:
            output = try Inflate.inflate(data, expectedSize: entry.uncompressedSize,
                                         maxOutputSize: entry.uncompressedSize, name: what).output
        default:
            throw LowBitError.unsupported("\(what): compression method \(entry.method) (only stored and deflate)")
        }
        let crc = CRC32.checksum(output)
        guard crc == entry.crc32 else {
            throw LowBitError.invalidFile(what, "CRC-32 mismatch (stored \(hexChecksum(entry.crc32)), computed \(hexChecksum(crc))): corrupt archive")
        }
        return output
    }

    /// Extracts a member to `destination` atomically (temp file, then rename).
    public func extract(_ entry: Entry, to destination: String) throws {
        let bytes = try extract(entry)
        try AssetFiles.writeAtomically(bytes, to: destination)
    }

    // MARK: - Parsing

    private func memberData(_ entry: Entry, what: String) throws -> UnsafeRawBufferPointer {
        let bytes = file.bytes
        let offset = entry.localHeaderOffset
        guard offset >= 0, offset + 30 <= bytes.count, readU32(bytes, offset) == 0x0403_4b50 else {
            throw LowBitError.invalidFile(what, "no local file header at offset \(offset)")
        }
        let nameLength = Int(readU16(bytes, offset + 26))
        let extraLength = Int(readU16(bytes, offset + 28))
        let start = offset + 30 + nameLength + extraLength
        // Sizes come from the central directory: with flag bit 3 the local header holds zeros.
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw LowBitError.invalidFile(what, "member data runs past the end of the archive (truncated?)")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<(start + entry.compressedSize)])
    }

    static func readCentralDirectory(_ bytes: UnsafeRawBufferPointer, path: String) throws -> [Entry] {
        // The end-of-central-directory record is 22 bytes plus a comment of up to 65535 bytes, at the end.
        guard bytes.count >= 22 else { throw LowBitError.invalidFile(path, "too small to be a ZIP archive") }
        var eocd = -1
        var candidate = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        while candidate >= lowest {
            if readU32(bytes, candidate) == 0x0605_4b50,
               candidate + 22 + Int(readU16(bytes, candidate + 20)) == bytes.count {
                eocd = candidate
                break
            }
            candidate -= 1
        }
        guard eocd >= 0 else {
            throw LowBitError.invalidFile(path, "no ZIP end-of-central-directory record (not a ZIP file, or truncated)")
        }
        let disk = readU16(bytes, eocd + 4), cdDisk = readU16(bytes, eocd + 6)
        let count = Int(readU16(bytes, eocd + 10))
        let cdSize = Int(readU32(bytes, eocd + 12))
        let cdOffset = Int(readU32(bytes, eocd + 16))
        guard disk == 0, cdDisk == 0 else { throw LowBitError.unsupported("\(path): multi-disk ZIP archives") }
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            throw LowBitError.unsupported("\(path): ZIP64 archives")
        }
        guard cdOffset + cdSize <= eocd else {
            throw LowBitError.invalidFile(path, "central directory (offset \(cdOffset), \(cdSize) B) overlaps the end record")
        }
        var entries = [Entry]()
        entries.reserveCapacity(count)
        var p = cdOffset
        let end = cdOffset + cdSize
        for index in 0..<count {
            guard p + 46 <= end, readU32(bytes, p) == 0x0201_4b50 else {
                throw LowBitError.invalidFile(path, "central directory entry \(index) is damaged")
            }
            let flags = readU16(bytes, p + 8)
            let method = readU16(bytes, p + 10)
            let crc = readU32(bytes, p + 16)
            let compressed = Int(readU32(bytes, p + 20))
            let uncompressed = Int(readU32(bytes, p + 24))
            let nameLength = Int(readU16(bytes, p + 28))
            let extraLength = Int(readU16(bytes, p + 30))
            let commentLength = Int(readU16(bytes, p + 32))
            let localOffset = Int(readU32(bytes, p + 42))
            let next = p + 46 + nameLength + extraLength + commentLength
            guard next <= end else {
                throw LowBitError.invalidFile(path, "central directory entry \(index) runs past the directory")
            }
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF {
                throw LowBitError.unsupported("\(path): ZIP64 member (entry \(index))")
            }
            let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[(p + 46)..<(p + 46 + nameLength)])
            let name = String(decoding: nameBytes, as: UTF8.self)
            entries.append(Entry(name: name, method: method, flags: flags, crc32: crc, compressedSize: compressed,
                                 uncompressedSize: uncompressed, localHeaderOffset: localOffset))
            p = next
        }
        return entries
    }
}

@inline(__always)
private func readU16(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
    UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
}

@inline(__always)
private func readU32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
}
