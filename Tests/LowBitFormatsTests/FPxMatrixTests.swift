import Testing
@testable import LowBitFormats
import LowBitCore

@Suite struct FPxMatrixTests {
    /// Scales, codes and dequantized values follow the definition exactly, for odd shapes, per row and in
    /// groups (including a short last group), for several formats.
    @Test func quantizeFollowsTheDefinition() throws {
        var rng = TestSeed.make("FPx matrix")
        for name in ["fp6", "fpe2m3", "fp5", "fpe3m1", "fp4", "fpe2m0", "fpe4m3"] {
            let format = try FPxFormat(parsing: name)
            for grouping in [ScaleGrouping.perRow, .columns(16), .columns(32)] {
                let rows = Int.random(in: 1...9, using: &rng), cols = Int.random(in: 1...77, using: &rng)
                var w = rng.weights(rows * cols, scale: Float.random(in: 0.001...10, using: &rng))
                if rows > 2 { for c in 0..<cols { w[2 * cols + c] = 0 } }   // an all-zero row
                let q = try FPxMatrix.quantize(w, rows: rows, columns: cols, format: format, grouping: grouping)
                let g = grouping.groupSize(columns: cols), groups = grouping.groupsPerRow(columns: cols)
                #expect(q.scales.count == rows * groups && q.codes.count == rows * cols)
                let deq = q.dequantize()
                let lo = rows / 3, hi = rows
                var part = [Float](repeating: .nan, count: (hi - lo) * cols)
                part.withUnsafeMutableBufferPointer { q.dequantizeRows(lo..<hi, into: $0.baseAddress!) }
                #expect(part == Array(deq[(lo * cols)...]))
                for r in 0..<rows {
                    for gi in 0..<groups {
                        let range = (gi * g)..<min(cols, (gi + 1) * g)
                        let absmax = range.map { w[r * cols + $0].magnitude }.max()!
                        let expected = absmax == 0 ? Float16(1) : Float16(absmax / format.maxValue)
                        #expect(q.scales[r * groups + gi] == expected.bitPattern, "\(name) \(grouping) row \(r)")
                        let s = Float(expected)
                        for c in range {
                            let i = r * cols + c
                            #expect(q.codes[i] == format.encode(w[i] / s))
                            #expect(deq[i] == s * format.decode(q.codes[i]))
                            #expect(q.scale(row: r, column: c) == s)
                        }
                    }
                }
            }
        }
    }

    /// Per-row FP6: the error of every weight is at most half a step of the grid around it (plus the
    /// saturation loss of the fp16-rounded scale).
    @Test func errorIsBounded() throws {
        var rng = TestSeed.make("FPx error bound")
        let format = try FPxFormat(parsing: "fp6")
        let rows = 13, cols = 101
        let w = rng.weights(rows * cols)
        let q = try FPxMatrix.quantize(w, rows: rows, columns: cols, format: format)
        let deq = q.dequantize()
        for r in 0..<rows {
            let s = q.scale(row: r, column: 0)
            for c in 0..<cols {
                let x = w[r * cols + c] / s
                // Step of the binade holding x: 2^(max(⌊log2|x|⌋, 1 − bias) − M).
                let e = max(Int(x.magnitude.exponent), 1 - format.bias)
                let step = Float(sign: .plus, exponent: e - format.mantissaBits, significand: 1)
                let clipped = min(x.magnitude, format.maxValue)
                let bound = s * (step / 2 + (x.magnitude - clipped)) * 1.0001
                #expect(abs(deq[r * cols + c] - w[r * cols + c]) <= bound)
            }
        }
    }

    @Test func badInputsNameRowAndColumn() throws {
        let format = try FPxFormat(parsing: "fp6")
        var w = [Float](repeating: 0.5, count: 4 * 6)
        w[2 * 6 + 3] = .nan
        do {
            _ = try FPxMatrix.quantize(w, rows: 4, columns: 6, format: format, name: "blk.0.attn_q")
            Issue.record("NaN accepted")
        } catch let error as LowBitError {
            #expect(error.message.contains("blk.0.attn_q") && error.message.contains("row 2, column 3"))
        }
        w[2 * 6 + 3] = 0.5
        w[1 * 6 + 5] = -.infinity
        #expect(throws: LowBitError.self) { try FPxMatrix.quantize(w, rows: 4, columns: 6, format: format) }
        w[1 * 6 + 5] = 3e38   // absmax / 28 overflows fp16
        do {
            _ = try FPxMatrix.quantize(w, rows: 4, columns: 6, format: format)
            Issue.record("fp16 overflow accepted")
        } catch let error as LowBitError {
            #expect(error.message.contains("row 1") && error.message.contains("fp16"))
        }
        #expect(throws: LowBitError.self) { try FPxMatrix.quantize(w, rows: 5, columns: 6, format: format) }
        #expect(throws: LowBitError.self) {
            try FPxMatrix.quantize([Float](repeating: 1, count: 6), rows: 1, columns: 6, format: format,
                                   grouping: .columns(0))
        }
        // Wrapping stored data checks the code range and the scale count.
        #expect(throws: LowBitError.self) {
            try FPxMatrix(format: format, rows: 1, columns: 2, grouping: .perRow, codes: [0, 64], scales: [0x3C00])
        }
        #expect(throws: LowBitError.self) {
            try FPxMatrix(format: format, rows: 1, columns: 2, grouping: .perRow, codes: [0, 63], scales: [])
        }
        let ok = try FPxMatrix(format: format, rows: 1, columns: 2, grouping: .perRow, codes: [0b001100, 63],
                               scales: [Float16(2).bitPattern])
        #expect(ok.dequantize() == [2, -56])
    }

    @Test func groupingParses() throws {
        #expect(try ScaleGrouping(parsing: "row") == .perRow)
        #expect(try ScaleGrouping(parsing: "128") == .columns(128))
        #expect(throws: LowBitError.self) { try ScaleGrouping(parsing: "0") }
        #expect(throws: LowBitError.self) { try ScaleGrouping(parsing: "big") }
        #expect(ScaleGrouping.columns(64).groupsPerRow(columns: 130) == 3)
        #expect(ScaleGrouping.perRow.groupsPerRow(columns: 130) == 1)
    }
}
