import LowBitCore

/// A bounds-checked little-endian cursor over a file's bytes. Every read checks the bytes remaining first
/// and throws a LowBitError naming the file, the field and the offset, so a truncated or lying header can
/// never read past the end or make us allocate more than the file could hold.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    let path: String
    private(set) var position: Int

    init(_ bytes: UnsafeRawBufferPointer, path: String, position: Int = 0) {
        self.bytes = bytes
        self.path = path
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    func fail(_ reason: String) -> LowBitError {
        LowBitError.invalidFile(path, reason)
    }

    func need(_ n: Int, _ what: @autoclosure () -> String) throws {
        guard n >= 0, n <= remaining else {
            throw fail("truncated: \(what()) needs \(n) bytes at offset \(position) but only \(remaining) remain")
        }
    }

    mutating func skip(_ n: Int, _ what: @autoclosure () -> String) throws {
        try need(n, what())
        position += n
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        let size = MemoryLayout<T>.size
        try need(size, what())
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
        position += size
        return value
    }

    /// A u64 count checked against what the rest of the file can hold: `count * minBytesEach` must fit in the
    /// bytes remaining (so arrays are only allocated for counts the file could really contain).
    mutating func readCount(_ what: @autoclosure () -> String, minBytesEach: Int) throws -> Int {
        let raw = try read(UInt64.self, what())
        let limit = UInt64(remaining / max(1, minBytesEach))
        guard raw <= limit else {
            throw fail("\(what()) is \(raw), but the \(remaining) bytes left after offset \(position) can hold at most \(limit)")
        }
        return Int(raw)
    }

    /// A GGUF string: u64 byte length, then UTF-8 without a terminator.
    mutating func readString(_ what: @autoclosure () -> String, maxBytes: Int) throws -> String {
        let start = position
        let length = try read(UInt64.self, "length of \(what())")
        guard length <= UInt64(remaining) else {
            throw fail("\(what()) at offset \(start) claims \(length) bytes but only \(remaining) remain (truncated or corrupt)")
        }
        guard length <= UInt64(maxBytes) else {
            throw fail("\(what()) at offset \(start) is \(length) bytes, over the limit of \(maxBytes)")
        }
        let n = Int(length)
        let raw = n == 0 ? UnsafeRawBufferPointer(start: nil, count: 0)
            : UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
        guard let text = decodeUTF8(raw) else {
            throw fail("\(what()) at offset \(start) is not valid UTF-8")
        }
        position += n
        return text
    }
}

/// Strict UTF-8 decoding (nil on any invalid sequence). The standard library validates contiguous bytes
/// with its own optimized code, which matters in debug builds where a byte loop here would be slow.
func decodeUTF8(_ raw: UnsafeRawBufferPointer) -> String? {
    String(validating: raw.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
}
