import LowBitCore

/// A weight matrix [rows, columns] of n-bit bipolar-INT codes with fp16 scales: ŵ = s × (2c − (2^n − 1)).
///
/// Quantization: s = fp16(absmax(group) / (2^n − 1)) so the group's absmax lands on the outermost level
/// (level spacing 2s); an all-zero group gets s = 1; code = BipolarInt.encode(w / s) (nearest odd level,
/// ties toward +∞, so w = 0 becomes +s). NaN or infinite weights are an error naming row and column.
public struct BipolarMatrix: Sendable {
    public let bits: Int
    public let rows: Int
    public let columns: Int
    public let grouping: ScaleGrouping
    /// One code per weight, row-major, in the low `bits` bits.
    public let codes: [UInt8]
    /// fp16 bit patterns, `[rows][grouping.groupsPerRow(columns)]`; the multiplier of the odd value.
    public let scales: [UInt16]

    public init(bits: Int, rows: Int, columns: Int, grouping: ScaleGrouping,
                codes: [UInt8], scales: [UInt16], name: String = "bipolar matrix") throws {
        try checkBits(bits, 1...8, name)
        try checkMatrixShape(codes.count, rows: rows, columns: columns, name: name)
        try grouping.validate(name)
        let expected = rows * grouping.groupsPerRow(columns: columns)
        guard scales.count == expected else {
            throw LowBitError.shapeMismatch("\(name): \(scales.count) scales, expected \(expected)")
        }
        try checkCodeRange(codes, bits: bits, name: name)
        self.init(unchecked: bits, rows: rows, columns: columns, grouping: grouping, codes: codes, scales: scales)
    }

    private init(unchecked bits: Int, rows: Int, columns: Int, grouping: ScaleGrouping,
                 codes: [UInt8], scales: [UInt16]) {
        self.bits = bits
        self.rows = rows
        self.columns = columns
        self.grouping = grouping
        self.codes = codes
        self.scales = scales
    }

    public static func quantize(_ weights: UnsafeBufferPointer<Float>, rows: Int, columns: Int, bits: Int,
                                grouping: ScaleGrouping = .perRow, name: String = "weights") throws -> BipolarMatrix {
        try checkBits(bits, 1...8, "\(name): bipolar bits")
        let (codes, scales) = try AbsmaxQuantizer.quantize(
            weights, rows: rows, columns: columns, grouping: grouping,
            maxMagnitude: Float((1 << bits) - 1), encoder: BipolarEncoder(bits: bits), name: name)
        return BipolarMatrix(unchecked: bits, rows: rows, columns: columns, grouping: grouping,
                             codes: codes, scales: scales)
    }

    public static func quantize(_ weights: [Float], rows: Int, columns: Int, bits: Int,
                                grouping: ScaleGrouping = .perRow, name: String = "weights") throws -> BipolarMatrix {
        try weights.withUnsafeBufferPointer {
            try quantize($0, rows: rows, columns: columns, bits: bits, grouping: grouping, name: name)
        }
    }

    /// The value table 2c − (2^n − 1) as Float.
    public var valueTable: [Float] { (0..<(1 << bits)).map { Float(BipolarInt.value(code: UInt8($0), bits: bits)) } }

    /// The codes split into bit-planes (see `BipolarBitPlanes`).
    public func bitPlanes() -> BipolarBitPlanes {
        // Codes were range-checked when the matrix was made.
        try! BipolarBitPlanes(codes: codes, rows: rows, columns: columns, bits: bits)
    }
}

/// Codes [rows, columns] of `bits` bits stored as bit-planes (ABQ-LLM style layout `[plane][row][word]`):
/// bit k % 64 of `words[(plane·rows + row)·wordsPerRow + k/64]` is bit `plane` of the code at (row, k).
/// Columns are padded to a multiple of 64 with zero bits (they add nothing to AND/XOR popcounts; kernels
/// use the logical column count). `codeSums[row]` = Σ_k c[row, k], the term of the AND-form correction
/// Σ x_k y_k = 4·Σ a_k w_k − 2(2^q − 1)·Σ a_k − 2(2^p − 1)·Σ w_k + K(2^p − 1)(2^q − 1).
public struct BipolarBitPlanes: Sendable {
    public let bits: Int
    public let rows: Int
    public let columns: Int
    public let wordsPerRow: Int
    public let words: [UInt64]
    public let codeSums: [Int]

    /// Splits row-major codes (each < 2^bits) into planes.
    public init(codes: [UInt8], rows: Int, columns: Int, bits: Int) throws {
        try checkBits(bits, 1...8, "bit planes")
        try checkMatrixShape(codes.count, rows: rows, columns: columns, name: "bit planes")
        try checkCodeRange(codes, bits: bits, name: "bit planes")
        self.bits = bits
        self.rows = rows
        self.columns = columns
        let wpr = (columns + 63) / 64
        self.wordsPerRow = wpr
        var words = [UInt64](repeating: 0, count: bits * rows * wpr)
        var sums = [Int](repeating: 0, count: rows)
        codes.withUnsafeBufferPointer { cb in
            words.withUnsafeMutableBufferPointer { wb in
                for r in 0..<rows {
                    var sum = 0
                    for k in 0..<columns {
                        let c = cb[r * columns + k]
                        sum += Int(c)
                        for p in 0..<bits where (c >> UInt8(p)) & 1 == 1 {
                            wb[(p * rows + r) * wpr + k / 64] |= 1 << UInt64(k % 64)
                        }
                    }
                    sums[r] = sum
                }
            }
        }
        self.words = words
        self.codeSums = sums
    }

    /// The bipolar value at (row, column) recombined from the planes: Σ_i 2^i · (2·b_i − 1).
    public func value(row: Int, column: Int) -> Int {
        var v = 0
        for p in 0..<bits {
            let bit = Int((words[(p * rows + row) * wordsPerRow + column / 64] >> UInt64(column % 64)) & 1)
            v += (2 * bit - 1) << p
        }
        return v
    }

    /// Recombined row-major codes (the inverse of `init`).
    public func codes() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: rows * columns)
        for p in 0..<bits {
            for r in 0..<rows {
                for k in 0..<columns {
                    let bit = (words[(p * rows + r) * wordsPerRow + k / 64] >> UInt64(k % 64)) & 1
                    out[r * columns + k] |= UInt8(bit) << UInt8(p)
                }
            }
        }
        return out
    }
}
