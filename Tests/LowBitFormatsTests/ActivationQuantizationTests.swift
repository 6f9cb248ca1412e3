import Testing
@testable import LowBitFormats
import LowBitCore

@Suite struct ActivationQuantizationTests {
    /// Per-token asymmetric quantization against a Float64 reference, with and without outlier columns.
    @Test func perTokenMatchesReference() throws {
        var rng = TestSeed.make("QUIK activations")
        var nearTies = 0
        for bits in 2...8 {
            for useOutliers in [false, true] {
                let rows = Int.random(in: 1...6, using: &rng), cols = Int.random(in: 2...90, using: &rng)
                var x = rng.weights(rows * cols, scale: 2)
                var outliers: OutlierColumns?
                if useOutliers {
                    let k = Int.random(in: 1...max(1, cols / 4), using: &rng)
                    let chosen = Array((0..<cols).shuffled(using: &rng).prefix(k))
                    for r in 0..<rows { for c in chosen { x[r * cols + c] *= 100 } }
                    outliers = try OutlierColumns(chosen, columns: cols)
                }
                let q = try QuantizedActivations.quantize(x, rows: rows, columns: cols, bits: bits, outliers: outliers)
                let inl = outliers?.inliers ?? Array(0..<cols)
                #expect(q.values.count == rows * inl.count && q.quantizedColumns == inl.count)
                let deq = q.dequantize()
                let levels = Double((1 << bits) - 1), offset = Double(1 << (bits - 1))
                for r in 0..<rows {
                    let row = inl.map { Double(x[r * cols + $0]) }
                    let mn = row.min()!, mx = row.max()!
                    let s = Double(Float16(bitPattern: q.scales[r])), z = Double(Float16(bitPattern: q.zeros[r]))
                    #expect(z == Double(Float16(Float(mn))))
                    if mx == mn { #expect(s == 1) } else {
                        #expect(abs(s - (mx - mn) / levels) <= (mx - mn) / levels * 0x1p-11 * 1.0001)
                    }
                    for (j, c) in inl.enumerated() {
                        let t = (Double(x[r * cols + c]) - z) / s
                        let v = Double(q.values[r * inl.count + j])
                        #expect(v >= -offset && v <= offset - 1)
                        if nearTie(t) { nearTies += 1 } else {
                            #expect(v == min(max(t.rounded(.toNearestOrEven), 0), levels) - offset)
                        }
                        #expect(deq[r * cols + c] == Float(s) * Float(v + offset) + Float(z))
                        let bound = s / 2 + abs(z - mn) + levels * s * 0x1p-10 + 1e-6 * abs(mn)
                        #expect(abs(Double(deq[r * cols + c]) - Double(x[r * cols + c])) <= bound)
                    }
                    for c in outliers?.outliers ?? [] { #expect(deq[r * cols + c] == x[r * cols + c]) }
                }
            }
        }
        print("QUIK activations: \(nearTies) near-tie quotients skipped")
    }

    /// QUIK's epilogue reproduces the fake-quantized product: with symmetric int weights on the inlier
    /// columns and Float outlier columns,
    /// y = s_x·s_w·Σ q_x q_w + (z + 2^(b−1)·s_x)·Σ_k ŵ_k + Σ_outliers x·w.
    @Test func quikEpilogueIdentity() throws {
        var rng = TestSeed.make("QUIK epilogue")
        let tokens = 5, outputs = 7, cols = 67, bits = 4
        let x = rng.weights(tokens * cols), w = rng.weights(outputs * cols, scale: 0.1)
        let outliers = try OutlierColumns([3, 17, 40, 66], columns: cols)
        let (wIn, wOut) = try outliers.split(w, rows: outputs)
        let n = outliers.inliers.count
        let wq = try IntMatrix.quantize(wIn, rows: outputs, columns: n, bits: bits, symmetric: true)
        let wHat = wq.dequantize(), wReduced = wq.dequantizedRowSums()
        let xq = try QuantizedActivations.quantize(x, rows: tokens, columns: cols, bits: bits, outliers: outliers)
        let xHat = xq.dequantize()
        let (xHatIn, _) = try outliers.split(xHat, rows: tokens)
        for t in 0..<tokens {
            let sx = Double(Float16(bitPattern: xq.scales[t])), zx = Double(Float16(bitPattern: xq.zeros[t]))
            for o in 0..<outputs {
                let sw = Double(Float16(bitPattern: wq.scales[o]))
                var acc = 0, reference = 0.0, outlierPart = 0.0
                for k in 0..<n {
                    acc += Int(xq.values[t * n + k]) * (Int(wq.codes[o * n + k]) - (1 << (bits - 1)))
                    reference += Double(xHatIn[t * n + k]) * Double(wHat[o * n + k])
                }
                for (j, _) in outliers.outliers.enumerated() {
                    outlierPart += Double(xq.outlierValues[t * 4 + j]) * Double(wOut[o * 4 + j])
                }
                let y = sx * sw * Double(acc) + (zx + Double(1 << (bits - 1)) * sx) * Double(wReduced[o]) + outlierPart
                #expect(abs(y - (reference + outlierPart)) <= 1e-4 * max(1, abs(reference)), "token \(t) output \(o)")
            }
        }
    }

    @Test func outlierColumnHelpers() throws {
        let o = try OutlierColumns([4, 1], columns: 6)
        #expect(o.outliers == [1, 4] && o.inliers == [0, 2, 3, 5])
        #expect(o.permutation == [0, 2, 3, 5, 1, 4])
        let m = (0..<12).map { Float($0) }
        let p = try o.permuteColumns(m, rows: 2)
        #expect(p == [0, 2, 3, 5, 1, 4, 6, 8, 9, 11, 7, 10])
        #expect(try o.unpermuteColumns(p, rows: 2) == m)
        let (a, b) = try o.split(m, rows: 2)
        #expect(a == [0, 2, 3, 5, 6, 8, 9, 11] && b == [1, 4, 7, 10])
        #expect(try OutlierColumns.largest([0.5, 9, 1, 9, 3], count: 3).outliers == [1, 3, 4])
        #expect(throws: LowBitError.self) { try OutlierColumns([1, 1], columns: 4) }
        #expect(throws: LowBitError.self) { try OutlierColumns([4], columns: 4) }
        #expect(throws: LowBitError.self) { try OutlierColumns.largest([1, 2], count: 3) }
        #expect(throws: LowBitError.self) { try o.permuteColumns(m, rows: 3) }
        #expect(throws: LowBitError.self) {
            try QuantizedActivations.quantize(m, rows: 2, columns: 6, bits: 4, outliers: OutlierColumns([1], columns: 5))
        }
        #expect(throws: LowBitError.self) {
            try QuantizedActivations.quantize([1, .nan], rows: 1, columns: 2, bits: 4)
        }
        #expect(throws: LowBitError.self) { try QuantizedActivations.quantize([1, 2], rows: 1, columns: 2, bits: 1) }
        for (bad, what) in [([Float](arrayLiteral: 1, 2, 70000, 70001), "minimum"), ([1, 2, 0, 1e6], "scale")] {
            do {
                _ = try QuantizedActivations.quantize(bad, rows: 2, columns: 2, bits: 2)
                Issue.record("\(what) overflow accepted")
            } catch let e as LowBitError {
                #expect(e.message.contains("row 1") && e.message.contains(what), "\(e.message)")
            }
        }
        // All columns outliers: nothing quantized, everything kept.
        let all = try QuantizedActivations.quantize(m, rows: 2, columns: 6, bits: 8,
                                                    outliers: OutlierColumns(Array(0..<6), columns: 6))
        #expect(all.values.isEmpty && all.dequantize() == m)
    }
}
