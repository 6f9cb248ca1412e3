import LowBitCore

extension FPxFormat: ScaledValueEncoder {
    func encode(_ src: UnsafePointer<Float>, count: Int, scale: Float, into dst: UnsafeMutablePointer<UInt8>) {
        let e = exponentBits, m = mantissaBits, maxValue = maxValue
        for i in 0..<count {
            dst[i] = FPxFormat.encode(src[i] / scale, exponentBits: e, mantissaBits: m, maxValue: maxValue)
        }
    }
}

/// A weight matrix [rows, columns] in an FPx format with fp16 scales (TC-FPx): ŵ = s × fpx(code), computed
/// in Float32, with one scale per row (the TC-FPx layout) or per group of columns.
///
/// Quantization: s = fp16(absmax / format.maxValue) over the row (or group); an all-zero group (or one
/// whose scale underflows fp16 to 0) gets s = 1;
/// a scale that overflows fp16 is an error naming the row. code = format.encode(w / s) with the
/// fp16-rounded s and a Float32 division. NaN or infinite weights are an error naming row and column.
public struct FPxMatrix: Sendable {
    public let format: FPxFormat
    public let rows: Int
    public let columns: Int
    public let grouping: ScaleGrouping
    /// One code per weight, row-major, in the low `format.bitWidth` bits.
    public let codes: [UInt8]
    /// fp16 bit patterns, `[rows][grouping.groupsPerRow(columns)]`.
    public let scales: [UInt16]

    /// Wraps existing codes and scales (for example read from a checkpoint); checks sizes and code range.
    public init(format: FPxFormat, rows: Int, columns: Int, grouping: ScaleGrouping,
                codes: [UInt8], scales: [UInt16], name: String = "FPx matrix") throws {
        try checkMatrixShape(codes.count, rows: rows, columns: columns, name: name)
        try grouping.validate(name)
        let expected = rows * grouping.groupsPerRow(columns: columns)
        guard scales.count == expected else {
            throw LowBitError.shapeMismatch("\(name): \(scales.count) scales, expected \(expected)")
        }
        try checkCodeRange(codes, bits: format.bitWidth, name: name)
        self.format = format
        self.rows = rows
        self.columns = columns
        self.grouping = grouping
        self.codes = codes
        self.scales = scales
    }

    private init(unchecked format: FPxFormat, rows: Int, columns: Int, grouping: ScaleGrouping,
                 codes: [UInt8], scales: [UInt16]) {
        self.format = format
        self.rows = rows
        self.columns = columns
        self.grouping = grouping
        self.codes = codes
        self.scales = scales
    }

    /// Quantizes row-major Float32 weights. `name` (a tensor name) prefixes error messages.
    public static func quantize(_ weights: UnsafeBufferPointer<Float>, rows: Int, columns: Int,
                                format: FPxFormat, grouping: ScaleGrouping = .perRow,
                                name: String = "weights") throws -> FPxMatrix {
        let (codes, scales) = try AbsmaxQuantizer.quantize(
            weights, rows: rows, columns: columns, grouping: grouping,
            maxMagnitude: format.maxValue, encoder: format, name: name)
        return FPxMatrix(unchecked: format, rows: rows, columns: columns, grouping: grouping,
                         codes: codes, scales: scales)
    }

    public static func quantize(_ weights: [Float], rows: Int, columns: Int, format: FPxFormat,
                                grouping: ScaleGrouping = .perRow, name: String = "weights") throws -> FPxMatrix {
        try weights.withUnsafeBufferPointer {
            try quantize($0, rows: rows, columns: columns, format: format, grouping: grouping, name: name)
        }
    }
}

/// Throws unless every code fits in `bits` bits.
func checkCodeRange(_ codes: [UInt8], bits: Int, name: String) throws {
    guard bits < 8 else { return }
    let limit = UInt8(1 << bits)
    if let i = codes.firstIndex(where: { $0 >= limit }) {
        throw LowBitError.invalidArgument(name, "code \(codes[i]) at index \(i) does not fit in \(bits) bits")
    }
}
