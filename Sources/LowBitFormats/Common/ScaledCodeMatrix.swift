/// What FPx, lookup-table and bipolar-INT matrices have in common, so CPU/GPU kernels and checkpoint code
/// can treat them alike: ŵ[r, c] = fp16 scale(r, ⌊c / groupSize⌋) × valueTable[code[r, c]] in Float32.
public protocol ScaledCodeMatrix: Sendable {
    var rows: Int { get }
    var columns: Int { get }
    var grouping: ScaleGrouping { get }
    /// One code per weight, row-major, each < 2^bitsPerCode.
    var codes: [UInt8] { get }
    /// fp16 bit patterns, `[rows][grouping.groupsPerRow(columns)]`.
    var scales: [UInt16] { get }
    /// Bits per code (what bit packing uses).
    var bitsPerCode: Int { get }
    /// The unscaled value of each code, 2^bitsPerCode entries.
    var valueTable: [Float] { get }
}

extension ScaledCodeMatrix {
    /// Row-major Float32 values s × valueTable[code] (exactly the product of the two Float32 numbers).
    public func dequantize() -> [Float] {
        AbsmaxQuantizer.dequantize(codes: codes, scales: scales, rows: rows, columns: columns,
                                   grouping: grouping, table: paddedTo256(valueTable))
    }

    /// Writes rows `range` (row-major, `range.count × columns` Floats) into `destination`: the same values
    /// as `dequantize()`, for callers that stream a few rows at a time.
    public func dequantizeRows(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "row range \(range) outside 0..<\(rows)")
        let table = paddedTo256(valueTable)
        let groupSize = grouping.groupSize(columns: columns), groups = grouping.groupsPerRow(columns: columns)
        codes.withUnsafeBufferPointer { cb in
            scales.withUnsafeBufferPointer { sb in
                table.withUnsafeBufferPointer { tb in
                    let t = tb.baseAddress!
                    for r in range {
                        let out = destination + (r - range.lowerBound) * columns
                        for g in 0..<groups {
                            let s = Float(Float16(bitPattern: sb[r * groups + g]))
                            for c in (g * groupSize)..<min(columns, (g + 1) * groupSize) {
                                out[c] = s * t[Int(cb[r * columns + c])]
                            }
                        }
                    }
                }
            }
        }
    }

    /// The Float32 scale of the weight at (row, column).
    public func scale(row: Int, column: Int) -> Float {
        let groups = grouping.groupsPerRow(columns: columns)
        return Float(Float16(bitPattern: scales[row * groups + column / grouping.groupSize(columns: columns)]))
    }
}

extension FPxMatrix: ScaledCodeMatrix {
    public var bitsPerCode: Int { format.bitWidth }
    public var valueTable: [Float] { format.decodeTable }
}

extension LUTMatrix: ScaledCodeMatrix {
    public var bitsPerCode: Int { table.bits }
    public var valueTable: [Float] { table.values }
}

extension BipolarMatrix: ScaledCodeMatrix {
    public var bitsPerCode: Int { bits }
}
