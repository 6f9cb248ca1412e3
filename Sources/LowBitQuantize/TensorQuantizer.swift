import LowBitCore
import LowBitFormats
import LowBitIO
import LowBitModel

/// One quantized tensor ready for the checkpoint: its layout and companion tensors.
public struct QuantizedTensor: Sendable {
    public var name: String
    public var layout: QuantizedTensorLayout
    public var entries: [SafetensorsEntry]
}

/// Packs row-major codes [rows, cols] row by row, MSB-first, each row starting on a byte.
func packRows(_ codes: [UInt8], rows: Int, cols: Int, bits: Int) -> [UInt8] {
    let rowBytes = (cols * bits + 7) / 8
    var out = [UInt8](repeating: 0, count: rows * rowBytes)
    out.withUnsafeMutableBufferPointer { o in
        codes.withUnsafeBufferPointer { c in
            for r in 0..<rows {
                let dst = o.baseAddress! + r * rowBytes
                var acc: UInt32 = 0, filled = 0, k = 0
                for i in 0..<cols {
                    acc = (acc << UInt32(bits)) | UInt32(c[r * cols + i])
                    filled += bits
                    if filled >= 8 {
                        filled -= 8
                        dst[k] = UInt8(truncatingIfNeeded: acc >> UInt32(filled))
                        k += 1
                    }
                }
                if filled > 0 { dst[k] = UInt8(truncatingIfNeeded: acc << UInt32(8 - filled)) }
            }
        }
    }
    return out
}

func halfBytes(_ bits: [UInt16]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: bits.count * 2)
    for (i, b) in bits.enumerated() {
        out[2 * i] = UInt8(truncatingIfNeeded: b)
        out[2 * i + 1] = UInt8(truncatingIfNeeded: b >> 8)
    }
    return out
}

/// fp16 bits of a positive scale: 0 → 1 (all-zero group), overflow is an error naming the tensor and row.
func scaleBits(_ s: Float, name: String, row: Int) throws -> UInt16 {
    let h = Float16(s)
    guard h.isFinite else {
        throw LowBitError.invalidArgument(name, "row \(row): scale \(s) overflows fp16 (max 65504)")
    }
    return h == 0 ? Float16(1).bitPattern : h.bitPattern
}

enum TensorQuantizer {
    static func entries(_ name: String, layout: QuantizedTensorLayout, codes: [UInt8], codeColumns: Int,
                        scales: [UInt16], zeros: [UInt8]? = nil, outliers: [UInt16]? = nil) -> [SafetensorsEntry] {
        let rows = layout.rows
        let groups = scales.count / max(rows, 1)
        var e = [
            SafetensorsEntry(name: name + LowBitCheckpointKeys.qweight, dtype: .uint8, shape: [rows, layout.rowBytes],
                             data: packRows(codes, rows: rows, cols: codeColumns, bits: layout.bits)),
            SafetensorsEntry(name: name + LowBitCheckpointKeys.scales, dtype: .float16, shape: [rows, groups],
                             data: halfBytes(scales)),
        ]
        if let zeros {
            e.append(SafetensorsEntry(name: name + LowBitCheckpointKeys.zeros, dtype: .uint8, shape: [rows, groups], data: zeros))
        }
        if let outliers, let n = layout.outlierColumns?.count, n > 0 {
            e.append(SafetensorsEntry(name: name + LowBitCheckpointKeys.outlierWeight, dtype: .float16,
                                      shape: [rows, n], data: halfBytes(outliers)))
        }
        return e
    }

    static func grouping(_ g: Int?, cols: Int) -> ScaleGrouping {
        guard let g, g < cols else { return .perRow }
        return .columns(g)
    }

    /// Round-to-nearest quantization of a weight-only or bipolar format.
    static func roundToNearest(_ name: String, weights: [Float], rows: Int, cols: Int, format: QuantizationFormat,
                               groupSize: Int?, signedScales: Bool = false) throws -> QuantizedTensor {
        let grouping = grouping(groupSize, cols: cols)
        let gs = grouping.groupSize(columns: cols)
        switch format {
        case .fpx(let f):
            let m = try FPxMatrix.quantize(weights, rows: rows, columns: cols, format: f, grouping: grouping, name: name)
            let layout = QuantizedTensorLayout(scheme: .codes, codec: "fp\(f.bitWidth) \(f.name)", rows: rows, cols: cols,
                                               bits: f.bitWidth, groupSize: gs, decoding: "fpx",
                                               exponentBits: f.exponentBits, mantissaBits: f.mantissaBits,
                                               table: f.decodeTable)
            return QuantizedTensor(name: name, layout: layout,
                                   entries: entries(name, layout: layout, codes: m.codes, codeColumns: cols, scales: m.scales))
        case .lut(let t):
            let m = try LUTMatrix.quantize(weights, rows: rows, columns: cols, table: t, grouping: grouping,
                                           signedScales: signedScales, name: name)
            let layout = QuantizedTensorLayout(scheme: .codes, codec: t.name, rows: rows, cols: cols, bits: t.bits,
                                               groupSize: gs, decoding: "lookup", table: t.values)
            return QuantizedTensor(name: name, layout: layout,
                                   entries: entries(name, layout: layout, codes: m.codes, codeColumns: cols, scales: m.scales))
        case .int(let bits):
            return try integer(name, weights: weights, rows: rows, cols: cols, bits: bits, symmetric: false, groupSize: groupSize)
        case .bipolar(let wb, let ab):
            let m = try BipolarMatrix.quantize(weights, rows: rows, columns: cols, bits: wb, grouping: grouping, name: name)
            let layout = QuantizedTensorLayout(scheme: .bipolar, codec: "bipolar w\(wb)a\(ab)", rows: rows, cols: cols,
                                               bits: wb, groupSize: gs, decoding: "lookup", table: m.valueTable,
                                               activationBits: ab)
            return QuantizedTensor(name: name, layout: layout,
                                   entries: entries(name, layout: layout, codes: m.codes, codeColumns: cols, scales: m.scales))
        case .quik:
            throw LowBitError.invalidArgument(name, "quik-w4a4 is quantized with GPTQ (needs calibration)")
        }
    }

    /// Bipolar-INT weights of `bits` bits as a lookup table: the odd levels 2c − (2^n − 1) in code order. Its
    /// largest entry is 2^n − 1, so a table scale s = fp16(absmax / (2^n − 1)) is bipolar's own scale, and
    /// codes and scales found for this table (GPTQ, tuned scales) are a bipolar matrix as they are.
    static func bipolarTable(bits: Int) throws -> LookupTable {
        try LookupTable(values: (0..<(1 << bits)).map { Float(BipolarInt.value(code: UInt8($0), bits: bits)) },
                        name: "bipolar w\(bits)")
    }

    /// Re-labels a tensor quantized on `bipolarTable(bits:)` as bipolar-INT with `activationBits`-bit activations:
    /// the code and scale entries are the same bytes.
    static func asBipolar(_ q: QuantizedTensor, activationBits: Int) -> QuantizedTensor {
        var layout = q.layout
        layout.scheme = .bipolar
        layout.codec = "bipolar w\(layout.bits)a\(activationBits)"
        layout.activationBits = activationBits
        return QuantizedTensor(name: q.name, layout: layout, entries: q.entries)
    }

    /// Uniform integers (asymmetric with stored zero points, or symmetric with the constant 2^(b−1)).
    static func integer(_ name: String, weights: [Float], rows: Int, cols: Int, bits: Int, symmetric: Bool,
                        groupSize: Int?) throws -> QuantizedTensor {
        let grouping = grouping(groupSize, cols: cols)
        let m = try IntMatrix.quantize(weights, rows: rows, columns: cols, bits: bits, symmetric: symmetric,
                                       grouping: grouping, name: name)
        let layout = QuantizedTensorLayout(
            scheme: .codes, codec: "int\(bits) \(symmetric ? "symmetric" : "asymmetric")", rows: rows, cols: cols,
            bits: bits, groupSize: grouping.groupSize(columns: cols), decoding: "integer",
            table: (0..<(1 << bits)).map { Float($0) }, zeroPoint: symmetric ? "constant" : "stored",
            zeroConstant: symmetric ? Float(1 << (bits - 1)) : nil)
        return QuantizedTensor(name: name, layout: layout,
                               entries: entries(name, layout: layout, codes: m.codes, codeColumns: cols, scales: m.scales,
                                                zeros: symmetric ? nil : m.zeroPoints))
    }

    /// `--tune-scales` without GPTQ: group scales chosen by `ScaleTuning` (layer output error with the full
    /// input Hessian), codes nearest for the chosen scale. Lookup tables and asymmetric integers only.
    static func tunedScales(_ name: String, weights: [Float], rows: Int, cols: Int, format: QuantizationFormat,
                            groupSize: Int?, hessian: [Double], signedScales: Bool = false) throws -> QuantizedTensor {
        let grouping = grouping(groupSize, cols: cols)
        let g = grouping.groupSize(columns: cols)
        switch format {
        case .lut(let t):
            let q = try ScaleTuning.tune(name, weights: weights, rows: rows, cols: cols,
                                         grid: signedScales ? .signedTable(t) : .table(t), groupSize: g, hessian: hessian)
            let layout = QuantizedTensorLayout(scheme: .codes, codec: t.name, rows: rows, cols: cols, bits: t.bits,
                                               groupSize: g, decoding: "lookup", table: t.values, tunedScales: true)
            return QuantizedTensor(name: name, layout: layout,
                                   entries: entries(name, layout: layout, codes: q.codes, codeColumns: cols, scales: q.scales))
        case .int(let bits):
            let q = try ScaleTuning.tune(name, weights: weights, rows: rows, cols: cols, grid: .asymmetric(bits: bits),
                                         groupSize: g, hessian: hessian)
            let layout = QuantizedTensorLayout(
                scheme: .codes, codec: "int\(bits) asymmetric", rows: rows, cols: cols, bits: bits, groupSize: g,
                decoding: "integer", table: (0..<(1 << bits)).map { Float($0) }, zeroPoint: "stored", tunedScales: true)
            return QuantizedTensor(name: name, layout: layout,
                                   entries: entries(name, layout: layout, codes: q.codes, codeColumns: cols,
                                                    scales: q.scales, zeros: q.zeros))
        default:
            throw LowBitError.invalidArgument("--tune-scales", "not available for this format")
        }
    }

    /// GPTQ for the integer, lookup-table and FPx formats (bipolar goes through its table, `bipolarTable`).
    static func gptq(_ name: String, weights: [Float], rows: Int, cols: Int, format: QuantizationFormat,
                     groupSize: Int?, hessian: [Double]) throws -> QuantizedTensor {
        try gptq(name, weights: weights, rows: rows, cols: cols, format: format, groupSize: groupSize,
                 factor: GPTQ.factor(hessian: hessian, n: cols, name: name))
    }

    /// `tuneScales`: each group's scale is searched (multipliers of the round-to-nearest scale, `ScaleTuning`) to
    /// minimise GPTQ's own loss Σ_j (w_j − q_j)² / U_jj² over the group's columns as they are when the group starts.
    static func gptq(_ name: String, weights: [Float], rows: Int, cols: Int, format: QuantizationFormat,
                     groupSize: Int?, factor: GPTQ.Factor, tuneScales: Bool = false,
                     signedScales: Bool = false) throws -> QuantizedTensor {
        let g = groupSize.map { min($0, cols) } ?? cols
        let lossWeights: [Double]? = tuneScales ? (0..<cols).map { j in 1 / (factor.u[j * cols + j] * factor.u[j * cols + j]) } : nil
        switch format {
        case .int(let bits):
            var grid = AsymmetricIntGrid(bits: bits, rows: rows, cols: cols, groupSize: g, name: name)
            grid.tuning = lossWeights.map { (grid: GroupGrid.asymmetric(bits: bits), weights: $0) }
            _ = try GPTQ.run(weights: weights, rows: rows, cols: cols, factor: factor, grid: &grid, name: name)
            let layout = QuantizedTensorLayout(
                scheme: .codes, codec: "int\(bits) asymmetric", rows: rows, cols: cols, bits: bits, groupSize: g,
                decoding: "integer", table: (0..<(1 << bits)).map { Float($0) }, zeroPoint: "stored", gptq: true,
                tunedScales: tuneScales ? true : nil)
            return QuantizedTensor(name: name, layout: layout,
                                   entries: entries(name, layout: layout, codes: grid.codes, codeColumns: cols,
                                                    scales: grid.scales, zeros: grid.zeros))
        case .lut(let t):
            var grid = AbsmaxTableGrid(table: t.values, encode: { t.encode($0) }, maxMagnitude: t.maxMagnitude,
                                       rows: rows, cols: cols, groupSize: g, name: name)
            let groupGrid: GroupGrid = signedScales ? .signedTable(t) : .table(t)
            grid.tuning = lossWeights.map { (grid: groupGrid, weights: $0) }
            if signedScales { grid.signedGrid = groupGrid }
            _ = try GPTQ.run(weights: weights, rows: rows, cols: cols, factor: factor, grid: &grid, name: name)
            let layout = QuantizedTensorLayout(scheme: .codes, codec: t.name, rows: rows, cols: cols, bits: t.bits,
                                               groupSize: g, decoding: "lookup", table: t.values, gptq: true,
                                               tunedScales: tuneScales ? true : nil)
            return QuantizedTensor(name: name, layout: layout,
                                   entries: entries(name, layout: layout, codes: grid.codes, codeColumns: cols, scales: grid.scales))
        case .fpx(let f):
            // TC-FPx keeps its scale rule, fp16(absmax / max) of the row (or group) as GPTQ starts it; GPTQ only
            // chooses the codes, so the file and the kernels are those of round to nearest.
            var grid = AbsmaxTableGrid(table: f.decodeTable, encode: { f.encode($0) }, maxMagnitude: f.maxValue,
                                       rows: rows, cols: cols, groupSize: g, name: name)
            _ = try GPTQ.run(weights: weights, rows: rows, cols: cols, factor: factor, grid: &grid, name: name)
            let layout = QuantizedTensorLayout(scheme: .codes, codec: "fp\(f.bitWidth) \(f.name)", rows: rows, cols: cols,
                                               bits: f.bitWidth, groupSize: g, decoding: "fpx",
                                               exponentBits: f.exponentBits, mantissaBits: f.mantissaBits,
                                               table: f.decodeTable, gptq: true)
            return QuantizedTensor(name: name, layout: layout,
                                   entries: entries(name, layout: layout, codes: grid.codes, codeColumns: cols, scales: grid.scales))
        default:
            throw LowBitError.invalidArgument("--gptq", "not available for this format")
        }
    }

    /// QUIK: outlier columns (largest max|x|) moved last, GPTQ with symmetric per-row integer weights on the
    /// rest, the outliers kept (GPTQ-updated) in fp16.
    static func quik(_ name: String, weights: [Float], rows: Int, cols: Int, weightBits: Int, activationBits: Int,
                     outlierCount: Int, hessian: [Double], columnMax: [Float],
                     factorCache: ((OutlierColumns, () throws -> GPTQ.Factor) throws -> GPTQ.Factor)? = nil) throws -> QuantizedTensor {
        let outliers = try OutlierColumns.largest(columnMax, count: min(outlierCount, cols - 8))
        let perm = outliers.permutation, n = outliers.inliers.count
        let w = try outliers.permuteColumns(weights, rows: rows)
        let makeFactor = { () throws -> GPTQ.Factor in
            var h = [Double](repeating: 0, count: cols * cols)
            for i in 0..<cols { for j in 0..<cols { h[i * cols + j] = hessian[perm[i] * cols + perm[j]] } }
            return try GPTQ.factor(hessian: h, n: cols, name: name)
        }
        let factor = try factorCache?(outliers, makeFactor) ?? makeFactor()
        let qmax = (1 << (weightBits - 1)) - 1, offset = 1 << (weightBits - 1)
        var grid = AbsmaxTableGrid(
            table: (0..<(1 << weightBits)).map { Float($0 - offset) },
            encode: { x in UInt8(Int(min(max(x.rounded(.toNearestOrEven), Float(-qmax)), Float(qmax))) + offset) },
            maxMagnitude: Float(qmax), rows: rows, cols: n, groupSize: n, name: name)
        let final = try GPTQ.run(weights: w, rows: rows, cols: cols, factor: factor, grid: &grid, keepFloatFrom: n, name: name)
        var outlierHalves = [UInt16](repeating: 0, count: rows * outliers.outliers.count)
        for r in 0..<rows {
            for j in 0..<outliers.outliers.count {
                let v = Float16(final[r * cols + n + j])
                guard v.isFinite else {
                    throw LowBitError.invalidArgument(name, "row \(r): outlier weight \(final[r * cols + n + j]) overflows fp16")
                }
                outlierHalves[r * outliers.outliers.count + j] = v.bitPattern
            }
        }
        let layout = QuantizedTensorLayout(
            scheme: .quik, codec: "quik w\(weightBits)a\(activationBits)", rows: rows, cols: cols, bits: weightBits,
            groupSize: n, decoding: "integer", table: (0..<(1 << weightBits)).map { Float($0) },
            zeroPoint: "constant", zeroConstant: Float(offset), activationBits: activationBits,
            outlierColumns: outliers.outliers, gptq: true)
        return QuantizedTensor(name: name, layout: layout,
                               entries: entries(name, layout: layout, codes: grid.codes, codeColumns: n,
                                                scales: grid.scales, outliers: outlierHalves))
    }
}

/// GPTQ grid: asymmetric uniform integers per group (min/max including 0, as `IntMatrix`).
struct AsymmetricIntGrid: GPTQGrid {
    let bits: Int, rows: Int, cols: Int, groupSize: Int, name: String
    var codes: [UInt8], scales: [UInt16], zeros: [UInt8]
    var s: [Float], z: [Float]
    var group = -1
    /// --tune-scales: the grid to search and GPTQ's per-column loss weights.
    var tuning: (grid: GroupGrid, weights: [Double])?

    init(bits: Int, rows: Int, cols: Int, groupSize: Int, name: String) {
        self.bits = bits
        self.rows = rows
        self.cols = cols
        self.groupSize = groupSize
        self.name = name
        let groups = (cols + groupSize - 1) / groupSize
        codes = [UInt8](repeating: 0, count: rows * cols)
        scales = [UInt16](repeating: 0, count: rows * groups)
        zeros = [UInt8](repeating: 0, count: rows * groups)
        s = [Float](repeating: 1, count: rows)
        z = [Float](repeating: 0, count: rows)
    }

    mutating func fit(_ w: UnsafePointer<Double>, rows: Int, columns: Range<Int>) throws {
        group = columns.lowerBound / groupSize
        let groups = (cols + groupSize - 1) / groupSize, levels = Float((1 << bits) - 1)
        for r in 0..<rows {
            var lo: Float = 0, hi: Float = 0
            for c in columns {
                let v = Float(w[c * rows + r])
                guard v.isFinite else { throw LowBitError.invalidArgument(name, "weight at row \(r), column \(c) is \(v)") }
                lo = min(lo, v)
                hi = max(hi, v)
            }
            var sb = try scaleBits((hi - lo) / levels, name: name, row: r)
            var sv = Float(Float16(bitPattern: sb))
            var zv = min(max((-lo / sv).rounded(.toNearestOrEven), 0), levels)
            if let tuning, let best = tuneGroup(tuning, w, rows: rows, row: r, columns: columns) {
                sb = best.scale
                sv = Float(Float16(bitPattern: sb))
                zv = Float(best.zero)
            }
            scales[r * groups + group] = sb
            zeros[r * groups + group] = UInt8(zv)
            s[r] = sv
            z[r] = zv
        }
    }

    mutating func quantize(column: Int, _ w: UnsafePointer<Double>, rows: Int, into q: UnsafeMutablePointer<Double>) {
        let levels = Float((1 << bits) - 1)
        for r in 0..<rows {
            let c = min(max((Float(w[r]) / s[r]).rounded(.toNearestOrEven) + z[r], 0), levels)
            codes[r * cols + column] = UInt8(c)
            q[r] = Double(s[r] * (c - z[r]))
        }
    }
}

/// GPTQ grid: absmax scale per group onto a table (lookup tables; symmetric integers for QUIK).
struct AbsmaxTableGrid: GPTQGrid {
    let table: [Float]
    let encode: (Float) -> UInt8
    let maxMagnitude: Float
    let rows: Int, cols: Int, groupSize: Int, name: String
    var codes: [UInt8], scales: [UInt16]
    var s: [Float]
    /// --tune-scales: the grid to search (it must be this table) and GPTQ's per-column loss weights.
    var tuning: (grid: GroupGrid, weights: [Double])?
    /// --signed-scales without --tune-scales: the signed table whose round-to-nearest sign rule each group follows.
    var signedGrid: GroupGrid?

    init(table: [Float], encode: @escaping (Float) -> UInt8, maxMagnitude: Float, rows: Int, cols: Int,
         groupSize: Int, name: String) {
        self.table = table
        self.encode = encode
        self.maxMagnitude = maxMagnitude
        self.rows = rows
        self.cols = cols
        self.groupSize = groupSize
        self.name = name
        codes = [UInt8](repeating: 0, count: rows * cols)
        scales = [UInt16](repeating: 0, count: rows * ((cols + groupSize - 1) / groupSize))
        s = [Float](repeating: 1, count: rows)
    }

    mutating func fit(_ w: UnsafePointer<Double>, rows: Int, columns: Range<Int>) throws {
        let group = columns.lowerBound / groupSize, groups = (cols + groupSize - 1) / groupSize
        for r in 0..<rows {
            var m: Float = 0
            for c in columns {
                let v = Float(w[c * rows + r])
                guard v.isFinite else { throw LowBitError.invalidArgument(name, "weight at row \(r), column \(c) is \(v)") }
                m = max(m, v.magnitude)
            }
            var sb = try scaleBits(m / maxMagnitude, name: name, row: r)
            if let tuning, let best = tuneGroup(tuning, w, rows: rows, row: r, columns: columns) {
                sb = best.scale
            } else if let signedGrid, let best = signedGroup(signedGrid, w, rows: rows, row: r, columns: columns) {
                sb = best.scale
            }
            scales[r * groups + group] = sb
            s[r] = Float(Float16(bitPattern: sb))
        }
    }

    mutating func quantize(column: Int, _ w: UnsafePointer<Double>, rows: Int, into q: UnsafeMutablePointer<Double>) {
        for r in 0..<rows {
            let c = encode(Float(w[r]) / s[r])
            codes[r * cols + column] = c
            q[r] = Double(s[r] * table[Int(c)])
        }
    }
}

/// `--gptq --signed-scales`: round-to-nearest's signed scale of one row's group of a GPTQ working matrix
/// (column-major `w[c · rows + r]`).
func signedGroup(_ grid: GroupGrid, _ w: UnsafePointer<Double>, rows: Int, row r: Int,
                 columns: Range<Int>) -> (scale: UInt16, zero: UInt8)? {
    let n = columns.count
    let values = columns.map { Float(w[$0 * rows + r]) }
    var codes = [UInt8](repeating: 0, count: n)
    var out = [Double](repeating: 0, count: n)
    return values.withUnsafeBufferPointer { vb in
        codes.withUnsafeMutableBufferPointer { cb in
            out.withUnsafeMutableBufferPointer { ob in
                grid.roundToNearest(vb.baseAddress!, count: n, codes: cb.baseAddress!, values: ob.baseAddress!)
            }
        }
    }
}

/// `--gptq --tune-scales`: the best scale (and zero point) of one row's group of a GPTQ working matrix
/// (column-major `w[c · rows + r]`), weighted by GPTQ's per-column loss.
func tuneGroup(_ tuning: (grid: GroupGrid, weights: [Double]), _ w: UnsafePointer<Double>, rows: Int, row r: Int,
               columns: Range<Int>) -> (scale: UInt16, zero: UInt8)? {
    let n = columns.count
    var values = [Float](repeating: 0, count: n)
    for (i, c) in columns.enumerated() { values[i] = Float(w[c * rows + r]) }
    var codes = [UInt8](repeating: 0, count: n)
    var out = [Double](repeating: 0, count: n)
    return values.withUnsafeBufferPointer { vb in
        tuning.weights.withUnsafeBufferPointer { db in
            codes.withUnsafeMutableBufferPointer { cb in
                out.withUnsafeMutableBufferPointer { ob in
                    tuning.grid.bestScale(vb.baseAddress!, count: n, weights: db.baseAddress! + columns.lowerBound,
                                          codes: cb.baseAddress!, values: ob.baseAddress!)
                }
            }
        }
    }
}
