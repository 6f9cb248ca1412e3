import LowBitCore

/// Activations [rows = tokens, columns] quantized per token, asymmetric, dynamic (QUIK,
/// `src/asymmetric/asymmetric.cu`), with optional outlier columns kept in Float32.
///
/// Per row, over the inlier columns only: s = fp16((max − min) / (2^b − 1)) (0 → 1), z = fp16(min);
/// q = clamp(round((x − z) / s), 0, 2^b − 1) − 2^(b−1) (Float32 arithmetic with the fp16-rounded s and z,
/// round to nearest, ties to even), stored as signed Int8. Reconstruction: x̂ = s·(q + 2^(b−1)) + z;
/// outlier columns are copied as they are.
/// With integer weights ŵ = s_w·q_w this gives QUIK's epilogue
/// y = s·s_w·Σ q·q_w + (z + 2^(b−1)·s)·Σ_k ŵ_k + y_outliers.
public struct QuantizedActivations: Sendable {
    public let bits: Int
    public let rows: Int
    /// Total columns, outliers included.
    public let columns: Int
    /// The outlier split (nil: every column is quantized).
    public let outliers: OutlierColumns?
    /// [rows][inlier count] signed codes in [−2^(b−1), 2^(b−1) − 1], inlier columns ascending.
    public let values: [Int8]
    /// Per-row fp16 scale bits.
    public let scales: [UInt16]
    /// Per-row fp16 zero (the row minimum) bits.
    public let zeros: [UInt16]
    /// [rows][outlier count] Float32 copies of the outlier columns, ascending.
    public let outlierValues: [Float]

    /// Columns that were quantized.
    public var quantizedColumns: Int { outliers?.inliers.count ?? columns }

    /// Quantizes row-major activations; bits 2…8. Throws for NaN/inf inputs, a row minimum or a scale
    /// that does not fit fp16, or an outlier set for another column count.
    public static func quantize(_ x: UnsafeBufferPointer<Float>, rows: Int, columns: Int, bits: Int,
                                outliers: OutlierColumns? = nil, name: String = "activations") throws
        -> QuantizedActivations {
        try checkBits(bits, 2...8, "\(name): activation bits")
        try checkMatrixShape(x.count, rows: rows, columns: columns, name: name)
        if let o = outliers, o.columns != columns {
            throw LowBitError.shapeMismatch("\(name): outlier set is for \(o.columns) columns, input has \(columns)")
        }
        let inlierList = outliers?.inliers ?? Array(0..<columns)
        let outlierList = outliers?.outliers ?? []
        let n = inlierList.count, levels = Float((1 << bits) - 1), offset = 1 << (bits - 1)
        var values = [Int8](repeating: 0, count: rows * n)
        var scales = [UInt16](repeating: 0, count: rows)
        var zeros = [UInt16](repeating: 0, count: rows)
        var outlierValues = [Float](repeating: 0, count: rows * outlierList.count)
        guard let src = x.baseAddress, rows > 0, columns > 0 else {
            return QuantizedActivations(bits: bits, rows: rows, columns: columns, outliers: outliers, values: values,
                                        scales: scales, zeros: zeros, outlierValues: outlierValues)
        }
        // Rows in parallel; a row that cannot be quantized records why (0 ok, 1 non-finite, 2 minimum
        // overflows fp16, 3 scale overflows fp16) and the first such row is reported afterwards.
        var failure = [UInt8](repeating: 0, count: rows)
        inlierList.withUnsafeBufferPointer { inl in
            values.withUnsafeMutableBufferPointer { vb in
                scales.withUnsafeMutableBufferPointer { sb in
                    zeros.withUnsafeMutableBufferPointer { zb in
                        failure.withUnsafeMutableBufferPointer { fb in
                            let inlBase = inl.baseAddress, vBase = vb.baseAddress, sBase = sb.baseAddress!
                            let zBase = zb.baseAddress!, fBase = fb.baseAddress!
                            Parallel.forRanges(count: rows, granule: 1, oversubscribe: 4) { range in
                                for r in range {
                                    let row = src + r * columns
                                    var mn = Float.infinity, mx = -Float.infinity
                                    var finite = true
                                    for j in 0..<n {
                                        let v = row[inlBase![j]]
                                        finite = finite && v.isFinite
                                        mn = Swift.min(mn, v)
                                        mx = Swift.max(mx, v)
                                    }
                                    if n == 0 { mn = 0; mx = 0 }
                                    let z16 = Float16(mn), s16raw = Float16((mx - mn) / levels)
                                    if !finite { fBase[r] = 1; continue }
                                    if !z16.isFinite { fBase[r] = 2; continue }
                                    if !s16raw.isFinite { fBase[r] = 3; continue }
                                    let s16 = s16raw == 0 ? Float16(1) : s16raw
                                    sBase[r] = s16.bitPattern
                                    zBase[r] = z16.bitPattern
                                    let s = Float(s16), z = Float(z16)
                                    let dst = vBase! + r * n
                                    for j in 0..<n {
                                        let q = ((row[inlBase![j]] - z) / s).rounded(.toNearestOrEven)
                                        dst[j] = Int8(truncatingIfNeeded: Int(Swift.min(Swift.max(q, 0), levels)) - offset)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let r = failure.firstIndex(where: { $0 != 0 }) {
            let row = src + r * columns
            switch failure[r] {
            case 1:
                let c = (0..<columns).first { !row[$0].isFinite }!
                throw LowBitError.invalidArgument(name, "value at row \(r), column \(c) is \(row[c])")
            case 2:
                throw LowBitError.invalidArgument(name, "row \(r): minimum overflows fp16 (max 65504)")
            default:
                throw LowBitError.invalidArgument(name, "row \(r): scale (max − min)/\(Int(levels)) overflows fp16 (max 65504)")
            }
        }
        for r in 0..<rows {
            for (j, c) in outlierList.enumerated() { outlierValues[r * outlierList.count + j] = src[r * columns + c] }
        }
        return QuantizedActivations(bits: bits, rows: rows, columns: columns, outliers: outliers, values: values,
                                    scales: scales, zeros: zeros, outlierValues: outlierValues)
    }

    public static func quantize(_ x: [Float], rows: Int, columns: Int, bits: Int,
                                outliers: OutlierColumns? = nil, name: String = "activations") throws
        -> QuantizedActivations {
        try x.withUnsafeBufferPointer {
            try quantize($0, rows: rows, columns: columns, bits: bits, outliers: outliers, name: name)
        }
    }

    /// Row-major [rows, columns] Float32 in the original column order: s·(q + 2^(b−1)) + z for quantized
    /// columns, the stored Float32 for outlier columns.
    public func dequantize() -> [Float] {
        var out = [Float](repeating: 0, count: rows * columns)
        let inl = outliers?.inliers ?? Array(0..<columns), outl = outliers?.outliers ?? []
        let n = inl.count, offset = 1 << (bits - 1)
        for r in 0..<rows {
            let s = Float(Float16(bitPattern: scales[r])), z = Float(Float16(bitPattern: zeros[r]))
            for j in 0..<n { out[r * columns + inl[j]] = s * Float(Int(values[r * n + j]) + offset) + z }
            for (j, c) in outl.enumerated() { out[r * columns + c] = outlierValues[r * outl.count + j] }
        }
        return out
    }
}
