import LowBitCore

/// A weight matrix [rows, columns] of b-bit lookup-table codes with fp16 scales (FLUTE):
/// ŵ[r, c] = s[r, ⌊c/G⌋] × table[code] in Float32; G = 32, 64, 128, 256 (FLUTE's sizes) or per row.
///
/// Quantization: s = fp16(absmax(group) / table.maxMagnitude) (an all-zero group gets 1; a scale that
/// overflows fp16 is an error naming the row and group); code = table.encode(w / s), the nearest entry with
/// the fp16-rounded s and a Float32 division, ties to the lower entry. NaN or infinite weights are an
/// error naming row and column.
public struct LUTMatrix: Sendable {
    public let table: LookupTable
    public let rows: Int
    public let columns: Int
    public let grouping: ScaleGrouping
    /// One code per weight, row-major, in the low `table.bits` bits.
    public let codes: [UInt8]
    /// fp16 bit patterns, `[rows][grouping.groupsPerRow(columns)]`.
    public let scales: [UInt16]

    /// Wraps existing codes and scales; checks sizes and code range.
    public init(table: LookupTable, rows: Int, columns: Int, grouping: ScaleGrouping,
                codes: [UInt8], scales: [UInt16], name: String = "LUT matrix") throws {
        try checkMatrixShape(codes.count, rows: rows, columns: columns, name: name)
        try grouping.validate(name)
        let expected = rows * grouping.groupsPerRow(columns: columns)
        guard scales.count == expected else {
            throw LowBitError.shapeMismatch("\(name): \(scales.count) scales, expected \(expected)")
        }
        try checkCodeRange(codes, bits: table.bits, name: name)
        self.init(unchecked: table, rows: rows, columns: columns, grouping: grouping, codes: codes, scales: scales)
    }

    private init(unchecked table: LookupTable, rows: Int, columns: Int, grouping: ScaleGrouping,
                 codes: [UInt8], scales: [UInt16]) {
        self.table = table
        self.rows = rows
        self.columns = columns
        self.grouping = grouping
        self.codes = codes
        self.scales = scales
    }

    public static func quantize(_ weights: UnsafeBufferPointer<Float>, rows: Int, columns: Int,
                                table: LookupTable, grouping: ScaleGrouping = .columns(64),
                                name: String = "weights") throws -> LUTMatrix {
        let (codes, scales) = try AbsmaxQuantizer.quantize(
            weights, rows: rows, columns: columns, grouping: grouping,
            maxMagnitude: table.maxMagnitude, encoder: table, name: name)
        return LUTMatrix(unchecked: table, rows: rows, columns: columns, grouping: grouping,
                         codes: codes, scales: scales)
    }

    public static func quantize(_ weights: [Float], rows: Int, columns: Int, table: LookupTable,
                                grouping: ScaleGrouping = .columns(64), name: String = "weights") throws -> LUTMatrix {
        try weights.withUnsafeBufferPointer {
            try quantize($0, rows: rows, columns: columns, table: table, grouping: grouping, name: name)
        }
    }
}
