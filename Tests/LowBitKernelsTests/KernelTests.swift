import Foundation
import Testing
import LowBitCore
@testable import LowBitKernels

/// Deterministic random numbers for test inputs (SplitMix64).
struct TestRandom {
    var base: SplitMix64
    init(_ seed: UInt64) { base = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    mutating func float(_ range: ClosedRange<Float> = -1...1) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * Float(next() >> 40) / Float(1 << 24)
    }
    mutating func floats(_ n: Int, _ range: ClosedRange<Float> = -1...1) -> [Float] { (0..<n).map { _ in float(range) } }
}

/// |a − b| ≤ atol + rtol·|b| for each element.
func close(_ a: [Float], _ b: [Double], rtol: Double = 1e-5, atol: Double = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs(Double($0) - $1) <= atol + rtol * abs($1) }
}

@Suite struct DenseKernelTests {
    @Test(arguments: [(1, 1, 1), (7, 13, 1), (33, 67, 3), (64, 576, 5), (19, 1537, 2)])
    func denseF32MatchesFloat64(rows: Int, cols: Int, tokens: Int) {
        var rng = TestRandom(UInt64(rows * 1000 + cols))
        let w = rng.floats(rows * cols), x = rng.floats(tokens * cols)
        var y = [Float](repeating: .nan, count: tokens * rows)  // poisoned: every element must be written
        w.withUnsafeBufferPointer { wp in x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
            DenseMatmul.f32(weights: wp.baseAddress!, rows: rows, cols: cols, x: xp.baseAddress!, tokens: tokens, y: yp.baseAddress!)
        } } }
        var ref = [Double](repeating: 0, count: tokens * rows)
        for t in 0..<tokens { for r in 0..<rows {
            ref[t * rows + r] = (0..<cols).reduce(0.0) { $0 + Double(w[r * cols + $1]) * Double(x[t * cols + $1]) }
        } }
        #expect(close(y, ref, rtol: 1e-4, atol: 1e-4 * Double(cols).squareRoot()))
    }

    @Test(arguments: [(5, 9, 1), (31, 100, 4), (16, 576, 1)])
    func denseF16MatchesFloat64(rows: Int, cols: Int, tokens: Int) {
        var rng = TestRandom(UInt64(rows + cols * 7))
        let w = rng.floats(rows * cols).map { Float16($0) }, x = rng.floats(tokens * cols)
        var y = [Float](repeating: .nan, count: tokens * rows)
        w.withUnsafeBufferPointer { wp in x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
            DenseMatmul.f16(weights: wp.baseAddress!, rows: rows, cols: cols, x: xp.baseAddress!, tokens: tokens, y: yp.baseAddress!)
        } } }
        var ref = [Double](repeating: 0, count: tokens * rows)
        for t in 0..<tokens { for r in 0..<rows {
            ref[t * rows + r] = (0..<cols).reduce(0.0) { $0 + Double(w[r * cols + $1]) * Double(x[t * cols + $1]) }
        } }
        #expect(close(y, ref, rtol: 1e-4, atol: 1e-4 * Double(cols).squareRoot()))
    }

    @Test func rmsNormMatchesFormula() {
        var rng = TestRandom(3)
        for n in [1, 7, 8, 577, 1000] {
            let x = rng.floats(n, -50...50), w = rng.floats(n)
            var out = [Float](repeating: .nan, count: n)
            x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in out.withUnsafeMutableBufferPointer { op in
                Elementwise.rmsNorm(xp.baseAddress!, weight: wp.baseAddress!, eps: 1e-5, count: n, out: op.baseAddress!)
            } } }
            let ms = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n)
            let ref = (0..<n).map { Double(x[$0]) / (ms + 1e-5).squareRoot() * Double(w[$0]) }
            #expect(close(out, ref, rtol: 1e-5, atol: 1e-6), "n = \(n)")
        }
    }

    @Test func softmaxSumsToOneAndMatches() {
        var rng = TestRandom(4)
        for n in [1, 5, 8, 13, 300] {
            var x = rng.floats(n, -30...30)
            let m = x.map(Double.init).max()!
            let z = x.reduce(0.0) { $0 + exp(Double($1) - m) }
            let ref = x.map { exp(Double($0) - m) / z }
            x.withUnsafeMutableBufferPointer { _ = Elementwise.softmax($0.baseAddress!, count: n) }
            #expect(close(x, ref, rtol: 1e-5, atol: 1e-7))
        }
    }

    @Test func siluMultiplyMatches() {
        var rng = TestRandom(5)
        var g = rng.floats(37, -10...10)
        g[3] = -100; g[4] = 100; g[5] = 0
        let u = rng.floats(37)
        let ref = (0..<37).map { Double(g[$0]) / (1 + exp(-Double(g[$0]))) * Double(u[$0]) }
        g.withUnsafeMutableBufferPointer { gp in u.withUnsafeBufferPointer { up in
            Elementwise.siluMultiply(gate: gp.baseAddress!, up: up.baseAddress!, count: 37)
        } }
        #expect(close(g, ref, rtol: 1e-5, atol: 1e-6))
    }

    /// The vector exp against Double exp: within 2 ulp (relative 2.4e-7) on [-87, 88] (dense sweep and
    /// random points), 0-ish below, inf above, NaN through.
    @Test func exp8MatchesDouble() {
        var rng = TestRandom(9)
        var xs = stride(from: -87.0, through: 88.0, by: 0.0173).map { Float($0) } + rng.floats(4000, -87...88)
        xs += [0, -0.0, 1e-30, -1e-30, 0.5 * Float(M_LN2), -0.5 * Float(M_LN2), 88.3, 88.7, -87.3]
        var worst = 0.0
        var i = 0
        while i < xs.count {
            var v = SIMD8<Float>(repeating: 0)
            for k in 0..<8 where i + k < xs.count { v[k] = xs[i + k] }
            let e = Elementwise.exp8(v)
            for k in 0..<8 where i + k < xs.count {
                let want = exp(Double(xs[i + k]))
                if want < Double(Float.greatestFiniteMagnitude) && xs[i + k] >= -87 {
                    worst = max(worst, abs(Double(e[k]) - want) / want)
                }
            }
            i += 8
        }
        #expect(worst <= 2.4e-7, "worst relative error \(worst)")
        let special = Elementwise.exp8(SIMD8<Float>(-1000, -.infinity, 89, .infinity, .nan, 0, 1, -1))
        #expect(special[0] <= 1.3e-38 && special[1] <= 1.3e-38 && special[0] >= 0)
        #expect(special[2] == .infinity && special[3] == .infinity && special[4].isNaN)
        #expect(special[5] == 1 && abs(Double(special[6]) - M_E) <= 3e-7 && abs(Double(special[7]) - 1 / M_E) <= 1e-7)
    }

    /// Both layouts against the rotation written out from its definition, with a partial rotary dim.
    @Test(arguments: [RoPELayout.interleaved, .halfSplit])
    func ropeMatchesDirectFormula(layout: RoPELayout) {
        var rng = TestRandom(6)
        let heads = 3, headDim = 10, rotary = 8, position = 37.0, base = 10000.0
        let x = rng.floats(heads * headDim)
        let inv = (0..<rotary / 2).map { pow(base, -Double(2 * $0) / Double(rotary)) }
        var cosT = [Float](repeating: 0, count: rotary / 2), sinT = cosT
        cosT.withUnsafeMutableBufferPointer { c in sinT.withUnsafeMutableBufferPointer { s in
            RoPE.angles(position: position, inverseFrequencies: inv, cos: c.baseAddress!, sin: s.baseAddress!)
        } }
        var y = x
        y.withUnsafeMutableBufferPointer { yp in cosT.withUnsafeBufferPointer { c in sinT.withUnsafeBufferPointer { s in
            RoPE.apply(yp.baseAddress!, heads: heads, headDim: headDim, rotaryDim: rotary, cos: c.baseAddress!,
                       sin: s.baseAddress!, layout: layout)
        } } }
        var ref = x.map(Double.init)
        for h in 0..<heads {
            for i in 0..<rotary / 2 {
                let (a, b) = layout == .interleaved ? (h * headDim + 2 * i, h * headDim + 2 * i + 1)
                                                    : (h * headDim + i, h * headDim + i + rotary / 2)
                let angle = position * inv[i]
                ref[a] = Double(x[a]) * cos(angle) - Double(x[b]) * sin(angle)
                ref[b] = Double(x[a]) * sin(angle) + Double(x[b]) * cos(angle)
            }
        }
        #expect(close(y, ref, rtol: 1e-5, atol: 1e-6))
        // Dimensions past the rotary part are untouched.
        #expect(y[8] == x[8] && y[9] == x[9])
    }
}

@Suite struct GGMLBlockKernelTests {
    /// Random Q4_1 bytes and their values from the block definition (x = d·q + m; byte j = element j low
    /// nibble, element j+16 high nibble).
    static func q4_1(rows: Int, cols: Int, _ rng: inout TestRandom) -> ([UInt8], [Double]) {
        var bytes: [UInt8] = [], values: [Double] = []
        for _ in 0..<(rows * cols / 32) {
            let d = Float16(rng.float(0.001...0.1)), m = Float16(rng.float(-0.5...0.5))
            bytes += withUnsafeBytes(of: d.bitPattern.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: m.bitPattern.littleEndian, Array.init)
            let q = (0..<32).map { _ in UInt8(rng.next() % 16) }
            for j in 0..<16 { bytes.append(q[j] | q[j + 16] << 4) }
            values += q.map { Double(d) * Double($0) + Double(m) }
        }
        return (bytes, values)
    }

    static func q8_0(rows: Int, cols: Int, _ rng: inout TestRandom) -> ([UInt8], [Double]) {
        var bytes: [UInt8] = [], values: [Double] = []
        for _ in 0..<(rows * cols / 32) {
            let d = Float16(rng.float(0.001...0.05))
            bytes += withUnsafeBytes(of: d.bitPattern.littleEndian, Array.init)
            let q = (0..<32).map { _ in Int8(truncatingIfNeeded: rng.next()) }
            bytes += q.map { UInt8(bitPattern: $0) }
            values += q.map { Double(d) * Double($0) }
        }
        return (bytes, values)
    }

    @Test(arguments: [(GGMLBlockKind.q4_1, 1), (.q4_1, 3), (.q8_0, 1), (.q8_0, 4)])
    func matmulMatchesDefinition(kind: GGMLBlockKind, tokens: Int) {
        for (rows, cols) in [(1, 32), (37, 96), (67, 576)] {
            var rng = TestRandom(UInt64(rows * 31 + cols + tokens))
            let (bytes, w) = kind == .q4_1 ? Self.q4_1(rows: rows, cols: cols, &rng) : Self.q8_0(rows: rows, cols: cols, &rng)
            let x = rng.floats(tokens * cols)
            var y = [Float](repeating: .nan, count: tokens * rows)
            bytes.withUnsafeBytes { b in x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                GGMLBlockMatmul.matmul(kind, weights: b.baseAddress!, rows: rows, cols: cols, x: xp.baseAddress!,
                                       tokens: tokens, y: yp.baseAddress!)
            } } }
            var ref = [Double](repeating: 0, count: tokens * rows)
            for t in 0..<tokens { for r in 0..<rows {
                ref[t * rows + r] = (0..<cols).reduce(0.0) { $0 + w[r * cols + $1] * Double(x[t * cols + $1]) }
            } }
            #expect(close(y, ref, rtol: 1e-4, atol: 1e-4 * Double(cols).squareRoot()), "\(kind) [\(rows), \(cols)] × \(tokens)")
            if tokens == 1 {
                // The decode path (interleaved rows, x quantized per block of 32 to int8 + residual for Q4_1 and
                // int16 for Q8_0, step scale_b = max|x_b|/127² or /32767, error ≤ scale_b/2 per element) moves each output
                // by at most Σ_b scale_b/2 · Σ_i |d·q_i| ≤ Σ_b scale_b/2 · Σ_i (|w_i| + |m|), with |m| ≤ 0.5 here.
                // GGMLDecodeKernelTests checks the exact definition.
                var yd = [Float](repeating: .nan, count: rows)
                bytes.withUnsafeBytes { b in x.withUnsafeBufferPointer { xp in yd.withUnsafeMutableBufferPointer { yp in
                    let packed = GGMLInterleavedRows(kind: kind, weights: b.baseAddress!, rows: rows, cols: cols)
                    GGMLBlockMatmul.matvec(packed, xq: DecodeActivations(xp.baseAddress!, cols: cols), y: yp.baseAddress!)
                } } }
                for r in 0..<rows {
                    var bound = 1e-4 * abs(ref[r]) + 1e-4 * Double(cols).squareRoot()  // the Float tolerance
                    for b in 0..<(cols / 32) {
                        let amax = x[(b * 32)..<(b * 32 + 32)].map { Double(abs($0)) }.max()!
                        let wsum = (0..<32).reduce(0.0) { $0 + abs(w[r * cols + b * 32 + $1]) + (kind == .q4_1 ? 0.5 : 0) }
                        bound += amax / (kind == .q4_1 ? 127 * 127 : 32767) / 2 * wsum * 1.0001
                    }
                    #expect(abs(Double(yd[r]) - ref[r]) <= bound, "\(kind) [\(rows), \(cols)] row \(r) (decode)")
                }
            }
            // Row dequantization (the embedding lookup) is exact up to Float rounding.
            var row = [Float](repeating: .nan, count: cols)
            bytes.withUnsafeBytes { b in row.withUnsafeMutableBufferPointer { rp in
                GGMLBlockMatmul.dequantizeRow(kind, b.baseAddress! + (rows - 1) * kind.rowBytes(cols: cols), cols: cols, into: rp.baseAddress!)
            } }
            #expect(close(row, Array(w[((rows - 1) * cols)...]), rtol: 1e-6, atol: 1e-7))
        }
    }
}
