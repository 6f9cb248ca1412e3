import LowBitFormats

/// One entry of a GGUF tensor table.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// GGUF order: dimensions[0] is the contiguous (fastest-varying) one, the row length of a matrix.
    public let dimensions: [Int]
    public let type: GGMLType
    /// Absolute byte offset of the data in the file.
    public let offset: Int
    public let byteCount: Int

    public init(name: String, dimensions: [Int], type: GGMLType, offset: Int, byteCount: Int) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
    }

    /// Row-major shape (outermost first): [rows, cols] for a matrix, where cols = dimensions[0].
    public var shape: [Int] { dimensions.reversed() }

    public var elementCount: Int { dimensions.reduce(1, *) }

    /// Length of one row (dimensions[0]); quantization blocks run along it.
    public var rowLength: Int { dimensions.first ?? 1 }

    /// Number of rows (the product of the other dimensions).
    public var rowCount: Int { dimensions.dropFirst().reduce(1, *) }

    /// Bytes of one row.
    public var rowBytes: Int { rowLength / type.blockSize * type.blockBytes }
}
