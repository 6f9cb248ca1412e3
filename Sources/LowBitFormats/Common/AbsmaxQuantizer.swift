import LowBitCore

/// Encodes a run of weights divided by one scale. Encoders work on whole runs so that tables are pinned
/// (withUnsafeBufferPointer) once per run rather than once per weight.
protocol ScaledValueEncoder: Sendable {
    /// dst[i] = code(src[i] / scale) for i in 0..<count (Float32 division).
    func encode(_ src: UnsafePointer<Float>, count: Int, scale: Float, into dst: UnsafeMutablePointer<UInt8>)
}

/// Shared engine for the symmetric "absmax" formats (FPx, lookup tables, bipolar-INT, symmetric INT):
/// per group s = fp16(absmax / maxMagnitude) (0 → 1), code = encoder(w / s) with the fp16-rounded s and a
/// Float32 division, decoded value = s × table[code] in Float32.
enum AbsmaxQuantizer {
    /// Returns codes (one byte per weight, row-major) and fp16 scale bits `[rows][groupsPerRow]`.
    static func quantize<Encoder: ScaledValueEncoder>(
        _ weights: UnsafeBufferPointer<Float>, rows: Int, columns: Int, grouping: ScaleGrouping,
        maxMagnitude: Float, encoder: Encoder, name: String
    ) throws -> (codes: [UInt8], scales: [UInt16]) {
        try checkMatrixShape(weights.count, rows: rows, columns: columns, name: name)
        try grouping.validate(name)
        let groupSize = grouping.groupSize(columns: columns)
        let groups = grouping.groupsPerRow(columns: columns)
        guard let src = weights.baseAddress, rows > 0, columns > 0 else { return ([], []) }

        // Pass 1 (parallel): absmax per group and the first non-finite column of each row.
        var absmax = [Float](repeating: 0, count: rows * groups)
        var badColumn = [Int](repeating: -1, count: rows)
        absmax.withUnsafeMutableBufferPointer { amax in
            badColumn.withUnsafeMutableBufferPointer { bad in
                let amaxBase = amax.baseAddress!, badBase = bad.baseAddress!
                Parallel.forRanges(count: rows, granule: 1, oversubscribe: 4) { range in
                    for r in range {
                        let row = src + r * columns
                        for g in 0..<groups {
                            let start = g * groupSize, end = min(columns, start + groupSize)
                            // Integer max of |v|'s bit pattern: same order as the values for
                            // non-negative floats, vectorizes, and any NaN/inf shows as ≥ 0x7F800000.
                            var m: UInt32 = 0
                            for c in start..<end { m = Swift.max(m, row[c].bitPattern & 0x7FFF_FFFF) }
                            if m >= 0x7F80_0000, badBase[r] < 0 {
                                badBase[r] = (start..<end).first { !row[$0].isFinite }!
                            }
                            amaxBase[r * groups + g] = Float(bitPattern: m)
                        }
                    }
                }
            }
        }
        if let r = badColumn.firstIndex(where: { $0 >= 0 }) {
            throw nonFiniteError(name, row: r, column: badColumn[r], value: src[r * columns + badColumn[r]])
        }

        // Scales (serial: cheap, and errors must name the first bad row).
        var scales = [UInt16](repeating: 0, count: rows * groups)
        for i in 0..<(rows * groups) {
            scales[i] = try fp16ScaleBits(absmax[i] / maxMagnitude, name: name,
                                          row: i / groups, group: i % groups, groupsPerRow: groups)
        }

        // Pass 2 (parallel): codes.
        var codes = [UInt8](repeating: 0, count: rows * columns)
        codes.withUnsafeMutableBufferPointer { out in
            scales.withUnsafeBufferPointer { sc in
                let dst = out.baseAddress!, scaleBase = sc.baseAddress!
                Parallel.forRanges(count: rows, granule: 1, oversubscribe: 4) { range in
                    for r in range {
                        let row = src + r * columns, codeRow = dst + r * columns
                        for g in 0..<groups {
                            let s = Float(Float16(bitPattern: scaleBase[r * groups + g]))
                            let start = g * groupSize, end = min(columns, start + groupSize)
                            encoder.encode(row + start, count: end - start, scale: s, into: codeRow + start)
                        }
                    }
                }
            }
        }
        return (codes, scales)
    }

    /// value = fp16 scale × table[code], row-major Float32.
    static func dequantize(codes: [UInt8], scales: [UInt16], rows: Int, columns: Int,
                           grouping: ScaleGrouping, table: [Float]) -> [Float] {
        precondition(table.count == 256, "dequantize tables are padded to 256 entries")
        var out = [Float](repeating: 0, count: rows * columns)
        guard rows > 0, columns > 0 else { return out }
        let groupSize = grouping.groupSize(columns: columns)
        let groups = grouping.groupsPerRow(columns: columns)
        out.withUnsafeMutableBufferPointer { o in
            codes.withUnsafeBufferPointer { cb in
                scales.withUnsafeBufferPointer { sb in
                    table.withUnsafeBufferPointer { tb in
                        let dst = o.baseAddress!, cs = cb.baseAddress!, ss = sb.baseAddress!, t = tb.baseAddress!
                        Parallel.forRanges(count: rows, granule: 1, oversubscribe: 4) { range in
                            for r in range {
                                for g in 0..<groups {
                                    let s = Float(Float16(bitPattern: ss[r * groups + g]))
                                    let start = r * columns + g * groupSize
                                    let end = r * columns + min(columns, (g + 1) * groupSize)
                                    for i in start..<end { dst[i] = s * t[Int(cs[i])] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// Pads a decode table to 256 entries so any byte indexes it without a bounds check.
func paddedTo256(_ table: [Float]) -> [Float] {
    table + [Float](repeating: 0, count: 256 - table.count)
}
