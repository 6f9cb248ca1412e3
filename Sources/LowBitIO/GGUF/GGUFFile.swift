import LowBitCore
import LowBitFormats

/// A GGUF v2/v3 file (ggml docs/gguf.md), mapped read-only. Opening parses the header (metadata and the
/// tensor table) and validates it completely; tensor data is read lazily from the mapping.
///
/// Every count in the header is checked against the bytes that remain before anything is allocated, every
/// tensor must lie inside the file without overlapping another, and any problem is a LowBitError that names
/// the file, the field and where it is.
///
/// @unchecked Sendable: all stored properties are immutable after init and the mapping is read-only.
public final class GGUFFile: @unchecked Sendable {
    public let path: String
    public let version: UInt32
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensors in file order.
    public let tensors: [GGUFTensorInfo]
    /// general.alignment (default 32).
    public let alignment: Int
    /// Absolute offset of the tensor table (the end of the metadata).
    public let tensorTableOffset: Int
    /// Absolute offset of the tensor data section.
    public let dataOffset: Int
    public let file: MappedFile
    private let tensorIndex: [String: Int]

    /// Limits that keep a lying header from costing time or memory; far above anything real files use.
    public enum Limits {
        public static let maxKeyBytes = 65_535           // gguf.md: keys are at most 2^16 − 1 bytes
        public static let maxStringBytes = 64 << 20      // chat templates are kilobytes
        public static let maxTensorNameBytes = 4096      // ggml itself allows 63
        public static let maxArrayElements = 1 << 22     // vocabularies and merges are ≤ a few 10^5
        public static let maxArrayDepth = 4
        public static let maxDimensions = 4              // GGML_MAX_DIMS
    }

    public static let magic: [UInt8] = [0x47, 0x47, 0x55, 0x46]  // "GGUF"
    public static let defaultAlignment = 32

    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    public init(file: MappedFile) throws {
        self.file = file
        self.path = file.path
        var reader = ByteReader(file.bytes, path: file.path)

        // Header: magic, version, counts.
        try reader.need(4, "the GGUF magic")
        let magicBytes = (0..<4).map { file.bytes[$0] }
        guard magicBytes == GGUFFile.magic else {
            throw reader.fail("not a GGUF file (magic \(magicBytes.map { hex2($0) }.joined(separator: " ")), expected 47 47 55 46 \"GGUF\")")
        }
        try reader.skip(4, "the GGUF magic")
        let version = try reader.read(UInt32.self, "the GGUF version")
        guard version == 2 || version == 3 else {
            if version == 1 { throw LowBitError.unsupported("\(path): GGUF version 1 (32-bit counts) is not supported; convert the file with a current llama.cpp") }
            if version & 0xFFFF == 0 && version.byteSwapped <= 3 {
                throw LowBitError.unsupported("\(path): this GGUF file is big-endian (version reads as \(version.byteSwapped) byte-swapped); only little-endian files are supported")
            }
            throw reader.fail("unknown GGUF version \(version) (supported: 2, 3)")
        }
        self.version = version
        // Minimum on-disk sizes: a tensor info is name length + dims count + type + offset (24 bytes); a
        // key-value pair is key length + value type + a 1-byte value (13 bytes).
        let tensorCount = try reader.readCount("the tensor count", minBytesEach: 24)
        let kvCount = try reader.readCount("the metadata key-value count", minBytesEach: 13)

        // Metadata.
        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        metadata.reserveCapacity(kvCount)
        keys.reserveCapacity(kvCount)
        for index in 0..<kvCount {
            let keyOffset = reader.position
            let key = try reader.readString("metadata key #\(index)", maxBytes: Limits.maxKeyBytes)
            guard metadata[key] == nil else {
                throw reader.fail("metadata key \"\(key)\" at offset \(keyOffset) appears twice")
            }
            let typeID = try reader.read(UInt32.self, "the type of metadata \"\(key)\"")
            let value = try GGUFFile.readValue(&reader, typeID: typeID, key: key, depth: 0)
            metadata[key] = value
            keys.append(key)
        }

        // Alignment of the data section and of each tensor.
        var alignment = GGUFFile.defaultAlignment
        if let value = metadata["general.alignment"] {
            guard let a = value.intValue, a > 0, a & (a - 1) == 0, a <= 1 << 20 else {
                throw reader.fail("general.alignment is \(value.summary); it must be a power of two no larger than 2^20")
            }
            alignment = a
        }
        self.alignment = alignment

        // Tensor table.
        tensorTableOffset = reader.position
        var infos: [(name: String, dims: [Int], type: GGMLType, relative: Int, bytes: Int)] = []
        infos.reserveCapacity(tensorCount)
        var index: [String: Int] = [:]
        index.reserveCapacity(tensorCount)
        for t in 0..<tensorCount {
            let nameOffset = reader.position
            let name = try reader.readString("the name of tensor #\(t)", maxBytes: Limits.maxTensorNameBytes)
            guard !name.isEmpty else { throw reader.fail("tensor #\(t) at offset \(nameOffset) has an empty name") }
            guard index[name] == nil else { throw reader.fail("tensor \"\(name)\" appears twice in the tensor table") }
            let nDims = try reader.read(UInt32.self, "the dimension count of tensor \"\(name)\"")
            guard nDims <= UInt32(Limits.maxDimensions) else {
                throw reader.fail("tensor \"\(name)\" has \(nDims) dimensions (at most \(Limits.maxDimensions))")
            }
            var dims: [Int] = []
            var elements = 1
            for d in 0..<Int(nDims) {
                let raw = try reader.read(UInt64.self, "dimension \(d) of tensor \"\(name)\"")
                // Elements are bounded by the file size times the densest packing (< 8 per byte), so this
                // also rules out overflow of every size computed from them.
                guard raw <= UInt64(Int32.max) * 64, case let (product, false) = elements.multipliedReportingOverflow(by: Int(raw)),
                      product <= max(file.count, 1) * 8 else {
                    throw reader.fail("tensor \"\(name)\" has dimensions \(dims.map(String.init) + [String(raw)]) …, more elements than the \(file.count)-byte file can hold")
                }
                elements = product
                dims.append(Int(raw))
            }
            let typeID = try reader.read(UInt32.self, "the type of tensor \"\(name)\"")
            guard let type = GGMLType(rawValue: typeID) else {
                throw reader.fail("tensor \"\(name)\" has unknown GGML type id \(typeID)")
            }
            let rowLength = dims.first ?? 1
            guard rowLength % type.blockSize == 0, let bytes = type.byteCount(elements: elements) else {
                throw reader.fail("tensor \"\(name)\" of type \(type.name) has rows of \(rowLength) elements, not a multiple of its block size \(type.blockSize)")
            }
            let relative = try reader.read(UInt64.self, "the data offset of tensor \"\(name)\"")
            guard relative <= UInt64(file.count) else {
                throw reader.fail("tensor \"\(name)\" has data offset \(relative), beyond the end of the \(file.count)-byte file")
            }
            guard Int(relative) % alignment == 0 else {
                throw reader.fail("tensor \"\(name)\" has data offset \(relative), not a multiple of the alignment \(alignment)")
            }
            index[name] = infos.count
            infos.append((name, dims, type, Int(relative), bytes))
        }

        // Data section: at the next multiple of the alignment after the table.
        let dataOffset = (reader.position + alignment - 1) / alignment * alignment
        self.dataOffset = dataOffset
        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(infos.count)
        for info in infos {
            let start = dataOffset + info.relative
            guard start <= file.count, info.bytes <= file.count - start else {
                throw reader.fail("tensor \"\(info.name)\" (\(info.type.name) \(info.dims)) needs bytes \(start)..<\(start + info.bytes) but the file has \(file.count) bytes (truncated?)")
            }
            tensors.append(GGUFTensorInfo(name: info.name, dimensions: info.dims, type: info.type, offset: start, byteCount: info.bytes))
        }
        // No two tensors may share bytes.
        let byStart = tensors.indices.sorted { tensors[$0].offset < tensors[$1].offset }
        for (a, b) in zip(byStart, byStart.dropFirst()) where tensors[a].offset + tensors[a].byteCount > tensors[b].offset {
            throw reader.fail("tensors \"\(tensors[a].name)\" and \"\(tensors[b].name)\" overlap (bytes \(tensors[a].offset)..<\(tensors[a].offset + tensors[a].byteCount) and \(tensors[b].offset)..<\(tensors[b].offset + tensors[b].byteCount))")
        }

        self.metadata = metadata
        self.metadataKeys = keys
        self.tensors = tensors
        self.tensorIndex = index
    }

    private static func readValue(_ reader: inout ByteReader, typeID: UInt32, key: String, depth: Int) throws -> GGUFValue {
        guard let type = GGUFValueType(rawValue: typeID) else {
            throw reader.fail("metadata \"\(key)\" has unknown value type id \(typeID) (before offset \(reader.position))")
        }
        switch type {
        case .uint8: return .uint8(try reader.read(UInt8.self, "metadata \"\(key)\""))
        case .int8: return .int8(try reader.read(Int8.self, "metadata \"\(key)\""))
        case .uint16: return .uint16(try reader.read(UInt16.self, "metadata \"\(key)\""))
        case .int16: return .int16(try reader.read(Int16.self, "metadata \"\(key)\""))
        case .uint32: return .uint32(try reader.read(UInt32.self, "metadata \"\(key)\""))
        case .int32: return .int32(try reader.read(Int32.self, "metadata \"\(key)\""))
        case .uint64: return .uint64(try reader.read(UInt64.self, "metadata \"\(key)\""))
        case .int64: return .int64(try reader.read(Int64.self, "metadata \"\(key)\""))
        case .float32: return .float32(Float(bitPattern: try reader.read(UInt32.self, "metadata \"\(key)\"")))
        case .float64: return .float64(Double(bitPattern: try reader.read(UInt64.self, "metadata \"\(key)\"")))
        case .bool:
            let offset = reader.position
            let byte = try reader.read(UInt8.self, "metadata \"\(key)\"")
            guard byte <= 1 else { throw reader.fail("metadata \"\(key)\" is a bool with byte value \(byte) at offset \(offset) (must be 0 or 1)") }
            return .bool(byte == 1)
        case .string:
            return .string(try reader.readString("metadata \"\(key)\"", maxBytes: Limits.maxStringBytes))
        case .array:
            guard depth < Limits.maxArrayDepth else {
                throw reader.fail("metadata \"\(key)\" nests arrays deeper than \(Limits.maxArrayDepth) levels")
            }
            let elementTypeID = try reader.read(UInt32.self, "the element type of array \"\(key)\"")
            guard let elementType = GGUFValueType(rawValue: elementTypeID) else {
                throw reader.fail("array \"\(key)\" has unknown element type id \(elementTypeID)")
            }
            let count = try reader.readCount("the length of array \"\(key)\"", minBytesEach: elementType.minBytes)
            guard count <= Limits.maxArrayElements else {
                throw reader.fail("array \"\(key)\" claims \(count) elements, over the limit of \(Limits.maxArrayElements)")
            }
            var items: [GGUFValue] = []
            items.reserveCapacity(count)
            // Tokenizer vocabularies are arrays of ~10^5 strings or integers: read those in a direct loop.
            switch elementType {
            case .string:
                for _ in 0..<count {
                    items.append(.string(try reader.readString("an element of array \"\(key)\"", maxBytes: Limits.maxStringBytes)))
                }
            case .int32:
                try reader.need(4 * count, "array \"\(key)\"")
                for _ in 0..<count { items.append(.int32(try reader.read(Int32.self, "array \"\(key)\""))) }
            case .float32:
                try reader.need(4 * count, "array \"\(key)\"")
                for _ in 0..<count { items.append(.float32(Float(bitPattern: try reader.read(UInt32.self, "array \"\(key)\"")))) }
            default:
                for _ in 0..<count {
                    items.append(try readValue(&reader, typeID: elementTypeID, key: key, depth: depth + 1))
                }
            }
            return .array(items)
        }
    }

    // MARK: Tensors

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor's bytes, straight from the mapping; valid while this object lives.
    public func rawData(_ tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        file.slice(tensor.offset..<(tensor.offset + tensor.byteCount))
    }

    /// The whole tensor as Floats, row-major (element count = product of the dimensions). Rows are decoded in
    /// parallel.
    public func dequantize(_ tensor: GGUFTensorInfo) throws -> [Float] {
        let count = tensor.elementCount
        return try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            try dequantize(tensor, rows: 0..<tensor.rowCount, into: buffer)
            initialized = count
        }
    }

    /// Decodes rows `rows` (each `tensor.rowLength` elements) into `out`, which must hold exactly that many
    /// Floats. For example one embedding row: `rows: token..<token + 1`.
    public func dequantize(_ tensor: GGUFTensorInfo, rows: Range<Int>, into out: UnsafeMutableBufferPointer<Float>) throws {
        guard tensor.type.canDequantize else {
            throw LowBitError.unsupported("\(path): tensor \"\(tensor.name)\" has type \(tensor.type.name), which LowBit cannot dequantize yet")
        }
        guard rows.lowerBound >= 0, rows.upperBound <= tensor.rowCount else {
            throw LowBitError.invalidArgument("rows", "\(rows) outside the \(tensor.rowCount) rows of tensor \"\(tensor.name)\"")
        }
        let rowLength = tensor.rowLength, rowBytes = tensor.rowBytes
        precondition(out.count == rows.count * rowLength, "output holds \(out.count) Floats, rows need \(rows.count * rowLength)")
        if out.isEmpty || rowLength == 0 { return }
        let src = rawData(tensor).baseAddress!
        let dst = out.baseAddress!
        let type = tensor.type
        let first = rows.lowerBound
        // Chunks of about 64 KiB of output so small tensors stay on one thread.
        let granule = max(1, 16_384 / rowLength)
        Parallel.forRanges(count: rows.count, granule: granule) { range in
            type.dequantizeRow(src + (first + range.lowerBound) * rowBytes, count: range.count * rowLength,
                               into: dst + range.lowerBound * rowLength)
        }
    }

    // MARK: Metadata conveniences

    public var architecture: String? { metadata["general.architecture"]?.stringValue }

    public func value(_ key: String) -> GGUFValue? { metadata[key] }
    public func string(_ key: String) -> String? { metadata[key]?.stringValue }
    public func int(_ key: String) -> Int? { metadata[key]?.intValue }
    public func float(_ key: String) -> Double? { metadata[key]?.floatValue }
    public func u32(_ key: String) -> UInt32? { metadata[key]?.intValue.flatMap { UInt32(exactly: $0) } }

    /// "<architecture>.<suffix>", e.g. archKey("block_count") = "llama.block_count".
    public func archKey(_ suffix: String) -> String { "\(architecture ?? "general").\(suffix)" }

    /// An integer that must be present: the error names the file and the key.
    public func requireInt(_ key: String) throws -> Int {
        guard let value = metadata[key] else { throw LowBitError.invalidFile(path, "metadata \"\(key)\" is missing") }
        guard let v = value.intValue else { throw LowBitError.invalidFile(path, "metadata \"\(key)\" is \(value.typeName), expected an integer") }
        return v
    }

    public func requireFloat(_ key: String) throws -> Double {
        guard let value = metadata[key] else { throw LowBitError.invalidFile(path, "metadata \"\(key)\" is missing") }
        guard let v = value.floatValue else { throw LowBitError.invalidFile(path, "metadata \"\(key)\" is \(value.typeName), expected a number") }
        return v
    }

    public func requireString(_ key: String) throws -> String {
        guard let value = metadata[key] else { throw LowBitError.invalidFile(path, "metadata \"\(key)\" is missing") }
        guard let v = value.stringValue else { throw LowBitError.invalidFile(path, "metadata \"\(key)\" is \(value.typeName), expected a string") }
        return v
    }

    /// Whether a file starts with the GGUF magic (cheap format sniffing).
    public static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x47 && bytes[1] == 0x47 && bytes[2] == 0x55 && bytes[3] == 0x46
    }
}

func hex2(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
}
