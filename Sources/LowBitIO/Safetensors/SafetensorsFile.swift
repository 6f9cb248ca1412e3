import Foundation
import LowBitCore

/// One tensor of a safetensors file.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: ElementType
    /// Row-major shape (outermost first), as the header lists it.
    public let shape: [Int]
    /// Absolute byte offset of the data in the file.
    public let offset: Int
    public let byteCount: Int

    public init(name: String, dtype: ElementType, shape: [Int], offset: Int, byteCount: Int) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.offset = offset
        self.byteCount = byteCount
    }

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors file (huggingface/safetensors): u64 little-endian header length N, N bytes of JSON
/// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the data.
/// Mapped read-only; the header is validated like the reference implementation does: known dtypes, sizes
/// equal to shape × dtype, offsets inside the data, tensors contiguous and non-overlapping, covering all of it.
///
/// @unchecked Sendable: immutable after init over a read-only mapping.
public final class SafetensorsFile: @unchecked Sendable {
    public let path: String
    public let file: MappedFile
    /// The `__metadata__` string map (empty when absent).
    public let metadata: [String: String]
    /// Tensors in data order.
    public let tensors: [SafetensorsTensorInfo]
    /// Bytes of JSON after the 8-byte length (including any padding).
    public let headerByteCount: Int
    private let index: [String: Int]

    /// The reference implementation's limit (MAX_HEADER_SIZE).
    public static let maxHeaderBytes = 100_000_000
    /// JSON nesting deeper than this is not a safetensors header (real ones nest 3 levels).
    static let maxJSONDepth = 16

    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    public init(file: MappedFile) throws {
        self.file = file
        let path = file.path
        self.path = path
        func fail(_ reason: String) -> LowBitError { LowBitError.invalidFile(path, reason) }

        var reader = ByteReader(file.bytes, path: path)
        let declared = try reader.read(UInt64.self, "the safetensors header length")
        guard declared <= UInt64(SafetensorsFile.maxHeaderBytes) else {
            throw fail("safetensors header claims \(declared) bytes, over the limit of \(SafetensorsFile.maxHeaderBytes)")
        }
        let headerLength = Int(declared)
        guard headerLength <= reader.remaining else {
            throw fail("truncated: the safetensors header claims \(headerLength) bytes but the file has only \(reader.remaining) after the length")
        }
        guard headerLength >= 2 else { throw fail("safetensors header of \(headerLength) bytes is too short to be JSON") }
        let header = file.slice(8..<(8 + headerLength))
        guard header[0] == UInt8(ascii: "{") else {
            throw fail("safetensors header does not start with '{' (byte \(header[0]))")
        }
        guard decodeUTF8(header) != nil else { throw fail("safetensors header is not valid UTF-8") }
        try SafetensorsFile.checkNesting(header, fail)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(header), options: [])
        } catch {
            throw fail("safetensors header is not valid JSON (\(error.localizedDescription))")
        }
        guard let object = json as? [String: Any] else { throw fail("safetensors header is not a JSON object") }

        let dataStart = 8 + headerLength
        let dataSize = file.count - dataStart
        var metadata: [String: String] = [:]
        var tensors: [SafetensorsTensorInfo] = []
        var ranges: [(begin: Int, end: Int, name: String)] = []
        tensors.reserveCapacity(object.count)
        for (name, entry) in object {
            if name == "__metadata__" {
                guard let map = entry as? [String: Any] else { throw fail("__metadata__ is not an object of strings") }
                for (key, value) in map {
                    guard let text = value as? String else { throw fail("__metadata__ \"\(key)\" is not a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let fields = entry as? [String: Any] else { throw fail("tensor \"\(name)\": entry is not an object") }
            guard let dtypeName = fields["dtype"] as? String else { throw fail("tensor \"\(name)\": missing or non-string dtype") }
            guard let dtype = ElementType(rawValue: dtypeName) else {
                throw fail("tensor \"\(name)\": unknown dtype \"\(dtypeName)\" (known: \(ElementType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let shapeList = fields["shape"] as? [Any] else { throw fail("tensor \"\(name)\": missing or non-array shape") }
            var shape: [Int] = []
            var elements = 1
            for item in shapeList {
                guard let dim = SafetensorsFile.exactInt(item), dim >= 0 else {
                    throw fail("tensor \"\(name)\": shape \(shapeList) has an entry that is not a non-negative integer")
                }
                let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
                guard !overflow, product <= Int(Int32.max) * 1024 else { throw fail("tensor \"\(name)\": shape \(shapeList) is absurdly large") }
                elements = product
                shape.append(dim)
            }
            guard let offsets = fields["data_offsets"] as? [Any], offsets.count == 2,
                  let begin = SafetensorsFile.exactInt(offsets[0]), let end = SafetensorsFile.exactInt(offsets[1]) else {
                throw fail("tensor \"\(name)\": data_offsets must be two integers [begin, end]")
            }
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw fail("tensor \"\(name)\": data_offsets [\(begin), \(end)] lie outside the \(dataSize) data bytes")
            }
            let expected = elements * dtype.byteSize
            guard end - begin == expected else {
                throw fail("tensor \"\(name)\": data_offsets [\(begin), \(end)] hold \(end - begin) bytes but shape \(shape) × \(dtype.rawValue) needs \(expected)")
            }
            tensors.append(SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, offset: dataStart + begin, byteCount: expected))
            ranges.append((begin, end, name))
        }
        // Contiguous, non-overlapping coverage of the whole data section.
        let order = ranges.indices.sorted { (ranges[$0].begin, ranges[$0].end) < (ranges[$1].begin, ranges[$1].end) }
        var cursor = 0
        for i in order {
            let r = ranges[i]
            if r.begin < cursor { throw fail("tensor \"\(r.name)\": data_offsets [\(r.begin), \(r.end)] overlap the previous tensor, which ends at \(cursor)") }
            if r.begin > cursor { throw fail("tensor \"\(r.name)\": data_offsets [\(r.begin), \(r.end)] leave a gap after byte \(cursor)") }
            cursor = r.end
        }
        guard cursor == dataSize else {
            throw fail("tensors cover \(cursor) of the \(dataSize) data bytes (\(dataSize - cursor) bytes unaccounted for)")
        }

        let sorted = order.map { tensors[$0] }
        self.tensors = sorted
        self.metadata = metadata
        self.headerByteCount = headerLength
        var index: [String: Int] = [:]
        for (i, t) in sorted.enumerated() { index[t.name] = i }
        self.index = index
    }

    /// An integer JSON number (not a bool, not fractional).
    static func exactInt(_ value: Any) -> Int? {
        // Foundation bridges JSON true/false to NSNumber too; its type code "c" tells them apart.
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        let double = number.doubleValue
        guard double.rounded() == double, abs(double) < 9.0e15 else { return nil }
        return number.intValue
    }

    /// Rejects pathological nesting before handing the header to the JSON parser (which recurses).
    static func checkNesting(_ bytes: UnsafeRawBufferPointer, _ fail: (String) -> LowBitError) throws {
        var depth = 0, inString = false, escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > maxJSONDepth { throw fail("safetensors header nests JSON deeper than \(maxJSONDepth) levels") }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
    }

    public func tensor(named name: String) -> SafetensorsTensorInfo? {
        index[name].map { tensors[$0] }
    }

    /// The tensor's bytes, straight from the mapping; valid while this object lives.
    public func rawData(_ tensor: SafetensorsTensorInfo) -> UnsafeRawBufferPointer {
        file.slice(tensor.offset..<(tensor.offset + tensor.byteCount))
    }

    /// The tensor converted to Float (row-major). Integers convert exactly where Float can hold them.
    public func floats(_ tensor: SafetensorsTensorInfo) -> [Float] {
        let count = tensor.elementCount
        let raw = rawData(tensor)
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            if count > 0 { convertToFloat(raw.baseAddress!, dtype: tensor.dtype, count: count, into: out.baseAddress!) }
            initialized = count
        }
    }

    /// Whether a file starts like a safetensors file: a plausible header length and '{'.
    public static func looksLikeSafetensors(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 10 else { return false }
        let n = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        return n >= 2 && n <= UInt64(bytes.count - 8) && bytes[8] == UInt8(ascii: "{")
    }
}

/// Little-endian elements of any ElementType to Float.
public func convertToFloat(_ src: UnsafeRawPointer, dtype: ElementType, count: Int, into y: UnsafeMutablePointer<Float>) {
    switch dtype {
    case .float32: UnsafeMutableRawPointer(y).copyMemory(from: src, byteCount: count * 4)
    case .float16: for i in 0..<count { y[i] = halfBitsToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
    case .bfloat16: for i in 0..<count { y[i] = bfloat16BitsToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
    case .float64: for i in 0..<count { y[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
    case .int64: for i in 0..<count { y[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
    case .int32: for i in 0..<count { y[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
    case .int16: for i in 0..<count { y[i] = Float(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
    case .int8: for i in 0..<count { y[i] = Float(src.load(fromByteOffset: i, as: Int8.self)) }
    case .uint64: for i in 0..<count { y[i] = Float(UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
    case .uint32: for i in 0..<count { y[i] = Float(UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
    case .uint16: for i in 0..<count { y[i] = Float(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
    case .uint8: for i in 0..<count { y[i] = Float(src.load(fromByteOffset: i, as: UInt8.self)) }
    case .bool: for i in 0..<count { y[i] = src.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0 }
    }
}
