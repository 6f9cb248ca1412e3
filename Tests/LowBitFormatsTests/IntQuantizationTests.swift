import Testing
@testable import LowBitFormats
import LowBitCore

@Suite struct IntQuantizationTests {
    /// Random matrices, every width 2…8, symmetric and asymmetric, per row and grouped, against a Float64
    /// reference: scales within fp16 rounding of the exact ratio, codes equal to Float64 round-half-even of
    /// w / s (except quotients within 1e-6 of a tie, where Float32 division may fall either way), exact
    /// dequantization, and bounded error.
    @Test func weightsMatchFloat64Reference() throws {
        var rng = TestSeed.make("int weights")
        var nearTies = 0
        for bits in 2...8 {
            for symmetric in [true, false] {
                for grouping in [ScaleGrouping.perRow, .columns(32), .columns(128)] {
                    let rows = Int.random(in: 1...7, using: &rng), cols = Int.random(in: 1...260, using: &rng)
                    var w = rng.weights(rows * cols, scale: Float.random(in: 0.01...3, using: &rng))
                    if rows > 1 && !symmetric { for c in 0..<cols { w[cols + c] = abs(w[cols + c]) + 0.5 } }  // all positive
                    let q = try IntMatrix.quantize(w, rows: rows, columns: cols, bits: bits, symmetric: symmetric,
                                                   grouping: grouping)
                    let g = grouping.groupSize(columns: cols), groups = grouping.groupsPerRow(columns: cols)
                    #expect(q.zeroPoints.count == (symmetric ? 0 : rows * groups))
                    let deq = q.dequantize()
                    for r in 0..<rows {
                        for gi in 0..<groups {
                            let range = (gi * g)..<min(cols, (gi + 1) * g)
                            let values = range.map { Double(w[r * cols + $0]) }
                            let s = Double(Float16(bitPattern: q.scales[r * groups + gi]))
                            let qmax = Double((1 << (bits - 1)) - 1), levels = Double((1 << bits) - 1)
                            let lo = min(values.min()!, 0), hi = max(values.max()!, 0)
                            let exact = symmetric ? values.map(abs).max()! / qmax : (hi - lo) / levels
                            if exact == 0 {
                                #expect(s == 1)
                            } else {
                                #expect(abs(s - exact) <= exact * 0x1p-11 * 1.0001, "scale \(s) vs \(exact)")
                            }
                            let z = Double(q.zeroPoint(group: r * groups + gi))
                            if !symmetric {
                                let zq = -lo / s
                                if !nearTie(zq) { #expect(z == min(max(zq.rounded(.toNearestOrEven), 0), levels)) }
                            } else {
                                #expect(z == Double(1 << (bits - 1)))
                            }
                            for c in range {
                                let i = r * cols + c
                                let t = Double(w[i]) / s
                                let want = symmetric
                                    ? min(max(t.rounded(.toNearestOrEven), -qmax), qmax) + z
                                    : min(max(t.rounded(.toNearestOrEven) + z, 0), levels)
                                if nearTie(t) { nearTies += 1 } else {
                                    #expect(Double(q.codes[i]) == want, "bits \(bits) sym \(symmetric) w \(w[i]) s \(s)")
                                }
                                #expect(deq[i] == Float(s) * Float(Int(q.codes[i]) - Int(z)))
                                // Rounding error ≤ s/2, plus clipping from the fp16 scale and zero point.
                                let bound = s * (symmetric ? 0.5 : 1.0) + (symmetric ? qmax : levels) * s * 0x1p-10
                                #expect(abs(Double(deq[i]) - Double(w[i])) <= bound)
                            }
                        }
                    }
                }
            }
        }
        print("int weights: \(nearTies) quotients within 1e-6 of a tie skipped")
    }

    @Test func symmetricGridAndTies() throws {
        // 2-bit symmetric is ternary; −2^(b−1) is never produced; ties to even.
        let q = try IntMatrix.quantize([-1, -0.5, 0, 0.5, 1, 0.25], rows: 1, columns: 6, bits: 2, symmetric: true)
        #expect(q.scales == [Float16(1).bitPattern])
        #expect(q.codes == [1, 2, 2, 2, 3, 2])   // −0.5 and 0.5 are ties → 0
        let q4 = try IntMatrix.quantize([7, 2.5, -3.5, -7.5], rows: 1, columns: 4, bits: 4, symmetric: true)
        #expect(q4.dequantize() == [7, 2, -3, -7].map { Float($0) * Float(Float16(7.5 / 7)) })
        #expect(!q4.codes.contains(0))
        // Asymmetric keeps zero exactly representable, also for all-positive rows.
        let a = try IntMatrix.quantize([1, 2, 3, 4], rows: 1, columns: 4, bits: 3, symmetric: false)
        #expect(a.zeroPoints == [0])
        let zero = try IntMatrix.quantize([0, 0, 0], rows: 1, columns: 3, bits: 4, symmetric: false)
        #expect(zero.scales == [Float16(1).bitPattern] && zero.dequantize() == [0, 0, 0])
    }

    @Test func badInputs() throws {
        #expect(throws: LowBitError.self) { try IntMatrix.quantize([1], rows: 1, columns: 1, bits: 1, symmetric: true) }
        #expect(throws: LowBitError.self) { try IntMatrix.quantize([1], rows: 1, columns: 1, bits: 9, symmetric: false) }
        do {
            _ = try IntMatrix.quantize([1, 2, 3, .infinity], rows: 2, columns: 2, bits: 4, symmetric: false)
            Issue.record("inf accepted")
        } catch let e as LowBitError {
            #expect(e.message.contains("row 1, column 1"))
        }
        do {
            _ = try IntMatrix.quantize([-3e38, 3e38], rows: 1, columns: 2, bits: 4, symmetric: false)
            Issue.record("fp16 overflow accepted")
        } catch let e as LowBitError {
            #expect(e.message.contains("row 0") && e.message.contains("fp16"))
        }
        #expect(throws: LowBitError.self) {
            try IntMatrix(bits: 4, symmetric: false, rows: 1, columns: 2, grouping: .perRow, codes: [1, 2],
                          scales: [0x3C00], zeroPoints: [])
        }
        #expect(throws: LowBitError.self) {
            try IntMatrix(bits: 4, symmetric: true, rows: 1, columns: 2, grouping: .perRow, codes: [1, 16],
                          scales: [0x3C00], zeroPoints: [])
        }
    }
}
