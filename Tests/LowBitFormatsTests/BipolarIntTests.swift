import Testing
@testable import LowBitFormats
import LowBitCore

@Suite struct BipolarIntTests {
    /// Every code of every width: the odd symmetric grid, plane recombination, and the signed-INT mapping.
    @Test func exhaustiveForAllWidths() {
        for n in 1...8 {
            let top = (1 << n) - 1
            var seen = Set<Int>()
            for c in 0...top {
                let code = UInt8(c)
                let v = BipolarInt.value(code: code, bits: n)
                #expect(v == 2 * c - top)
                #expect(v % 2 != 0 && abs(v) <= top)
                #expect(BipolarInt.value(code: UInt8(top - c), bits: n) == -v, "symmetric")
                seen.insert(v)
                // Planes: value = Σ 2^i (2 b_i − 1), recombined two independent ways.
                let digits = (0..<n).map { BipolarInt.planeDigit(code: code, plane: $0) }
                #expect(digits.allSatisfy { $0 == 1 || $0 == -1 })
                #expect(BipolarInt.recombine(digits: digits) == v)
                var sum = 0
                for i in 0..<n { sum += (1 << i) * (((c >> i) & 1) == 1 ? 1 : -1) }
                #expect(sum == v)
                #expect(BipolarInt.code(value: v, bits: n) == code)
            }
            #expect(seen.count == 1 << n && !seen.contains(0))
            // Signed INT x̂ ↦ 2x̂ + 1, lossless and one-to-one, code = offset binary of x̂.
            for x in -(1 << (n - 1))..<(1 << (n - 1)) {
                let code = BipolarInt.code(signedInt: x, bits: n)!
                #expect(BipolarInt.value(code: code, bits: n) == BipolarInt.value(signedInt: x))
                #expect(Int(code) == x + (1 << (n - 1)))
            }
            #expect(BipolarInt.code(signedInt: 1 << (n - 1), bits: n) == nil)
            #expect(BipolarInt.code(value: 0, bits: n) == nil)
            #expect(BipolarInt.code(value: top + 2, bits: n) == nil)
        }
    }

    /// Nearest odd level by brute force; ties (even integers) go toward +∞; saturation at ±(2^n − 1).
    @Test func encodeIsNearestOddLevel() {
        var rng = TestSeed.make("bipolar encode")
        for n in 1...8 {
            let top = (1 << n) - 1
            var inputs: [Float] = [0, -0.0, .infinity, -.infinity, 1e30, -1e30]
            for k in -(top + 3)...(top + 3) {
                let x = Float(k)
                inputs += [x, x.nextUp, x.nextDown, x + 0.5]
            }
            for _ in 0..<200 { inputs.append(Float.random(in: -Float(top + 4)...Float(top + 4), using: &rng)) }
            for x in inputs {
                var best = -top, bestDistance = Double.infinity
                let xc = min(max(Double(x), -Double(top) - 1), Double(top) + 1)   // saturation
                for v in stride(from: -top, through: top, by: 2) {
                    let d = abs(xc - Double(v))
                    if d < bestDistance || (d == bestDistance && v > best) { best = v; bestDistance = d }
                }
                #expect(BipolarInt.value(code: BipolarInt.encode(x, bits: n), bits: n) == best, "n \(n) x \(x)")
            }
            #expect(BipolarInt.value(code: BipolarInt.encode(0, bits: n), bits: n) == 1)
            #expect(BipolarInt.encode(.nan, bits: n) == BipolarInt.encode(0, bits: n))
        }
        #expect(BipolarInt.value(code: BipolarInt.encode(-2, bits: 3), bits: 3) == -1)
        #expect(BipolarInt.value(code: BipolarInt.encode(2, bits: 3), bits: 3) == 3)
    }

    @Test func matrixQuantizeAndPlanes() throws {
        var rng = TestSeed.make("bipolar matrix")
        for n in 1...8 {
            for grouping in [ScaleGrouping.perRow, .columns(64)] {
                let rows = Int.random(in: 1...6, using: &rng), cols = Int.random(in: 1...150, using: &rng)
                let w = rng.weights(rows * cols)
                let q = try BipolarMatrix.quantize(w, rows: rows, columns: cols, bits: n, grouping: grouping)
                let g = grouping.groupSize(columns: cols), groups = grouping.groupsPerRow(columns: cols)
                let deq = q.dequantize()
                for r in 0..<rows {
                    for gi in 0..<groups {
                        let range = (gi * g)..<min(cols, (gi + 1) * g)
                        let absmax = range.map { w[r * cols + $0].magnitude }.max()!
                        let s16 = absmax == 0 ? Float16(1) : Float16(absmax / Float((1 << n) - 1))
                        #expect(q.scales[r * groups + gi] == s16.bitPattern)
                        let s = Float(s16)
                        for c in range {
                            let i = r * cols + c
                            #expect(q.codes[i] == BipolarInt.encode(w[i] / s, bits: n))
                            #expect(deq[i] == s * Float(BipolarInt.value(code: q.codes[i], bits: n)))
                            // Within half a level spacing (2s) unless clipped by the fp16 rounding of s.
                            #expect(abs(deq[i] - w[i]) <= s * 1.001 + absmax * 0.001)
                        }
                    }
                }
                // Bit planes: recombination gives back every code and value; padding bits are zero.
                let planes = q.bitPlanes()
                #expect(planes.wordsPerRow == (cols + 63) / 64)
                #expect(planes.codes() == q.codes)
                for r in 0..<rows {
                    #expect(planes.codeSums[r] == (0..<cols).reduce(0) { $0 + Int(q.codes[r * cols + $1]) })
                    for c in 0..<cols {
                        #expect(planes.value(row: r, column: c) == BipolarInt.value(code: q.codes[r * cols + c], bits: n))
                    }
                    if cols % 64 != 0 {
                        for p in 0..<n {
                            let last = planes.words[(p * rows + r) * planes.wordsPerRow + planes.wordsPerRow - 1]
                            #expect(last >> UInt64(cols % 64) == 0)
                        }
                    }
                }
            }
        }
        #expect(throws: LowBitError.self) { try BipolarMatrix.quantize([1], rows: 1, columns: 1, bits: 9) }
        #expect(throws: LowBitError.self) { try BipolarBitPlanes(codes: [0, 4], rows: 1, columns: 2, bits: 2) }
        #expect(throws: LowBitError.self) { try BipolarBitPlanes(codes: [0, 1], rows: 2, columns: 2, bits: 2) }
        #expect(throws: LowBitError.self) { try BipolarMatrix.quantize([.nan], rows: 1, columns: 1, bits: 2) }
    }

    /// The AND-form identity of bipolar-int.md §3 that kernels rely on, on random codes and odd K:
    /// Σ x_k y_k = 4·Σ a_k w_k − 2(2^q − 1)·Σ a_k − 2(2^p − 1)·Σ w_k + K(2^p − 1)(2^q − 1), with
    /// Σ a_k w_k = Σ_{i,j} 2^(i+j) popcount(A_i AND W_j).
    @Test func andPopcountFormMatchesDirectProduct() throws {
        var rng = TestSeed.make("bipolar AND form")
        for _ in 0..<40 {
            let p = Int.random(in: 1...8, using: &rng), q = Int.random(in: 1...8, using: &rng)
            let k = Int.random(in: 1...200, using: &rng)
            let a = (0..<k).map { _ in UInt8.random(in: 0...UInt8((1 << p) - 1), using: &rng) }
            let w = (0..<k).map { _ in UInt8.random(in: 0...UInt8((1 << q) - 1), using: &rng) }
            let direct = (0..<k).reduce(0) {
                $0 + BipolarInt.value(code: a[$1], bits: p) * BipolarInt.value(code: w[$1], bits: q)
            }
            let pa = try BipolarBitPlanes(codes: a, rows: 1, columns: k, bits: p)
            let pw = try BipolarBitPlanes(codes: w, rows: 1, columns: k, bits: q)
            var unsignedDot = 0
            for i in 0..<p {
                for j in 0..<q {
                    var pop = 0
                    for word in 0..<pa.wordsPerRow {
                        pop += (pa.words[i * pa.wordsPerRow + word] & pw.words[j * pw.wordsPerRow + word]).nonzeroBitCount
                    }
                    unsignedDot += pop << (i + j)
                }
            }
            let P = (1 << p) - 1, Q = (1 << q) - 1
            let formula = 4 * unsignedDot - 2 * Q * pa.codeSums[0] - 2 * P * pw.codeSums[0] + k * P * Q
            #expect(formula == direct, "p \(p) q \(q) K \(k)")
        }
    }
}
