import LowBitCore

/// Uniform integer weights [rows, columns], bits 2…8, fp16 scales per row or per group of columns:
/// ŵ = s × (c − z) in Float32, with unsigned codes c ∈ [0, 2^b).
///
/// - symmetric: z = 2^(b−1) for every group (codes are the offset-binary form of q = c − 2^(b−1));
///   s = fp16(absmax / (2^(b−1) − 1)); q = clamp(round(w / s), −(2^(b−1) − 1), 2^(b−1) − 1), so the grid is
///   symmetric and the code 0 (−2^(b−1)) is never produced. b = 2 is ternary {−1, 0, 1}.
/// - asymmetric: per group lo = min(min w, 0), hi = max(max w, 0) (zero stays exactly representable, as in
///   GPTQ); s = fp16((hi − lo) / (2^b − 1)); z = clamp(round(−lo / s), 0, 2^b − 1) stored per group;
///   c = clamp(round(w / s) + z, 0, 2^b − 1).
/// round = to nearest, ties to even, on the Float32 quotient w / s with the fp16-rounded s. A zero scale
/// becomes 1; a scale that overflows fp16 is an error naming the row; NaN/inf weights are an error naming
/// row and column.
public struct IntMatrix: Sendable {
    public let bits: Int
    public let symmetric: Bool
    public let rows: Int
    public let columns: Int
    public let grouping: ScaleGrouping
    /// One unsigned code per weight, row-major.
    public let codes: [UInt8]
    /// fp16 bit patterns, `[rows][grouping.groupsPerRow(columns)]`.
    public let scales: [UInt16]
    /// Asymmetric: one zero point per scale. Symmetric: empty (the zero point is 2^(b−1)).
    public let zeroPoints: [UInt8]

    public init(bits: Int, symmetric: Bool, rows: Int, columns: Int, grouping: ScaleGrouping,
                codes: [UInt8], scales: [UInt16], zeroPoints: [UInt8], name: String = "int matrix") throws {
        try checkBits(bits, 2...8, name)
        try checkMatrixShape(codes.count, rows: rows, columns: columns, name: name)
        try grouping.validate(name)
        let expected = rows * grouping.groupsPerRow(columns: columns)
        guard scales.count == expected, zeroPoints.count == (symmetric ? 0 : expected) else {
            throw LowBitError.shapeMismatch(
                "\(name): \(scales.count) scales and \(zeroPoints.count) zero points for \(expected) groups")
        }
        try checkCodeRange(codes, bits: bits, name: name)
        try checkCodeRange(zeroPoints, bits: bits, name: "\(name) zero points")
        self.init(unchecked: bits, symmetric: symmetric, rows: rows, columns: columns, grouping: grouping,
                  codes: codes, scales: scales, zeroPoints: zeroPoints)
    }

    private init(unchecked bits: Int, symmetric: Bool, rows: Int, columns: Int, grouping: ScaleGrouping,
                 codes: [UInt8], scales: [UInt16], zeroPoints: [UInt8]) {
        self.bits = bits
        self.symmetric = symmetric
        self.rows = rows
        self.columns = columns
        self.grouping = grouping
        self.codes = codes
        self.scales = scales
        self.zeroPoints = zeroPoints
    }

    public static func quantize(_ weights: UnsafeBufferPointer<Float>, rows: Int, columns: Int, bits: Int,
                                symmetric: Bool, grouping: ScaleGrouping = .perRow,
                                name: String = "weights") throws -> IntMatrix {
        try checkBits(bits, 2...8, "\(name): integer bits")
        if symmetric {
            let (codes, scales) = try AbsmaxQuantizer.quantize(
                weights, rows: rows, columns: columns, grouping: grouping,
                maxMagnitude: Float((1 << (bits - 1)) - 1), encoder: SymmetricIntEncoder(bits: bits), name: name)
            return IntMatrix(unchecked: bits, symmetric: true, rows: rows, columns: columns, grouping: grouping,
                             codes: codes, scales: scales, zeroPoints: [])
        }
        let (codes, scales, zeros) = try quantizeAsymmetric(weights, rows: rows, columns: columns, bits: bits,
                                                            grouping: grouping, name: name)
        return IntMatrix(unchecked: bits, symmetric: false, rows: rows, columns: columns, grouping: grouping,
                         codes: codes, scales: scales, zeroPoints: zeros)
    }

    public static func quantize(_ weights: [Float], rows: Int, columns: Int, bits: Int, symmetric: Bool,
                                grouping: ScaleGrouping = .perRow, name: String = "weights") throws -> IntMatrix {
        try weights.withUnsafeBufferPointer {
            try quantize($0, rows: rows, columns: columns, bits: bits, symmetric: symmetric,
                         grouping: grouping, name: name)
        }
    }

    /// The zero point of scale group `index` (row · groupsPerRow + group).
    public func zeroPoint(group index: Int) -> Int {
        symmetric ? 1 << (bits - 1) : Int(zeroPoints[index])
    }

    /// Row-major Float32 values s × (c − z).
    public func dequantize() -> [Float] {
        var out = [Float](repeating: 0, count: rows * columns)
        guard rows > 0, columns > 0 else { return out }
        let groupSize = grouping.groupSize(columns: columns), groups = grouping.groupsPerRow(columns: columns)
        out.withUnsafeMutableBufferPointer { o in
            codes.withUnsafeBufferPointer { cb in
                let dst = o.baseAddress!, src = cb.baseAddress!
                Parallel.forRanges(count: rows, granule: 1, oversubscribe: 4) { range in
                    for r in range {
                        for g in 0..<groups {
                            let s = Float(Float16(bitPattern: scales[r * groups + g]))
                            let z = zeroPoint(group: r * groups + g)
                            let start = r * columns + g * groupSize
                            let end = r * columns + min(columns, (g + 1) * groupSize)
                            for i in start..<end { dst[i] = s * Float(Int(src[i]) - z) }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Σ_k ŵ[r, k] per row (Float32, ascending k): QUIK's `wReduced`, the zero-point correction term
    /// y += (z_x + 2^(b−1)·s_x) · Σ_k ŵ[r, k] of per-token asymmetric activations.
    public func dequantizedRowSums() -> [Float] {
        let w = dequantize()
        return (0..<rows).map { r in
            var sum: Float = 0
            for k in 0..<columns { sum += w[r * columns + k] }
            return sum
        }
    }

    private static func quantizeAsymmetric(
        _ weights: UnsafeBufferPointer<Float>, rows: Int, columns: Int, bits: Int, grouping: ScaleGrouping,
        name: String
    ) throws -> (codes: [UInt8], scales: [UInt16], zeros: [UInt8]) {
        try checkMatrixShape(weights.count, rows: rows, columns: columns, name: name)
        try grouping.validate(name)
        let groupSize = grouping.groupSize(columns: columns), groups = grouping.groupsPerRow(columns: columns)
        guard let src = weights.baseAddress, rows > 0, columns > 0 else { return ([], [], []) }
        let levels = (1 << bits) - 1

        var lows = [Float](repeating: 0, count: rows * groups)
        var highs = [Float](repeating: 0, count: rows * groups)
        var badColumn = [Int](repeating: -1, count: rows)
        lows.withUnsafeMutableBufferPointer { lb in
            highs.withUnsafeMutableBufferPointer { hb in
                badColumn.withUnsafeMutableBufferPointer { bb in
                    let lo = lb.baseAddress!, hi = hb.baseAddress!, bad = bb.baseAddress!
                    Parallel.forRanges(count: rows, granule: 1, oversubscribe: 4) { range in
                        for r in range {
                            let row = src + r * columns
                            for g in 0..<groups {
                                let start = g * groupSize, end = min(columns, start + groupSize)
                                var mn: Float = 0, mx: Float = 0
                                var finite = true
                                for c in start..<end {
                                    let v = row[c]
                                    finite = finite && v.isFinite
                                    mn = Swift.min(mn, v)
                                    mx = Swift.max(mx, v)
                                }
                                if !finite, bad[r] < 0 { bad[r] = (start..<end).first { !row[$0].isFinite }! }
                                lo[r * groups + g] = mn
                                hi[r * groups + g] = mx
                            }
                        }
                    }
                }
            }
        }
        if let r = badColumn.firstIndex(where: { $0 >= 0 }) {
            throw nonFiniteError(name, row: r, column: badColumn[r], value: src[r * columns + badColumn[r]])
        }
        var scales = [UInt16](repeating: 0, count: rows * groups)
        var zeros = [UInt8](repeating: 0, count: rows * groups)
        for i in 0..<(rows * groups) {
            let bitsOfScale = try fp16ScaleBits((highs[i] - lows[i]) / Float(levels), name: name,
                                                row: i / groups, group: i % groups, groupsPerRow: groups)
            scales[i] = bitsOfScale
            let s = Float(Float16(bitPattern: bitsOfScale))
            zeros[i] = UInt8(Swift.min(Swift.max((-lows[i] / s).rounded(.toNearestOrEven), 0), Float(levels)))
        }
        var codes = [UInt8](repeating: 0, count: rows * columns)
        codes.withUnsafeMutableBufferPointer { cb in
            let dst = cb.baseAddress!
            Parallel.forRanges(count: rows, granule: 1, oversubscribe: 4) { range in
                for r in range {
                    for g in 0..<groups {
                        let s = Float(Float16(bitPattern: scales[r * groups + g]))
                        let z = Float(zeros[r * groups + g])
                        let start = r * columns + g * groupSize
                        let end = r * columns + min(columns, (g + 1) * groupSize)
                        for i in start..<end {
                            let q = (src[i] / s).rounded(.toNearestOrEven) + z
                            dst[i] = UInt8(Swift.min(Swift.max(q, 0), Float(levels)))
                        }
                    }
                }
            }
        }
        return (codes, scales, zeros)
    }
}

/// Symmetric INT: c = clamp(round(q), −qmax, qmax) + 2^(b−1), qmax = 2^(b−1) − 1. NaN encodes as 0 (c = 2^(b−1)).
struct SymmetricIntEncoder: ScaledValueEncoder {
    let bits: Int
    func encode(_ src: UnsafePointer<Float>, count: Int, scale: Float, into dst: UnsafeMutablePointer<UInt8>) {
        let qmax = Float((1 << (bits - 1)) - 1), offset = 1 << (bits - 1)
        for i in 0..<count {
            let x = src[i] / scale
            let q = x.isNaN ? 0 : Swift.min(Swift.max(x.rounded(.toNearestOrEven), -qmax), qmax)
            dst[i] = UInt8(truncatingIfNeeded: Int(q) + offset)
        }
    }
}
