import Foundation
import Testing
@testable import LowBitKernels

/// The decode path of GGML layers: int16/int8 activations and the integer dot products (GGMLIntegerDot).
@Suite struct GGMLDecodeKernelTests {
    /// Activations with a zero block, a block dominated by one value, tiny and large magnitudes.
    static func activations(cols: Int, _ rng: inout TestRandom) -> [Float] {
        var x = rng.floats(cols, -1...1)
        for i in 0..<min(32, cols) { x[i] = 0 }                          // block 0: all zero
        if cols >= 64 { x[40] = 50 }                                    // block 1: one outlier
        if cols >= 96 { for i in 64..<96 { x[i] *= 1e-6 } }             // block 2: tiny
        if cols >= 128 { for i in 96..<128 { x[i] *= 300 } }            // block 3: large
        return x
    }

    @Test func activationCodesRoundWithinHalfAStep() {
        var rng = TestRandom(11)
        let cols = 576
        let x = Self.activations(cols: cols, &rng)
        x.withUnsafeBufferPointer { xp in
            let q = DecodeActivations(xp.baseAddress!, cols: cols)
            #expect(q.blocks == cols / 32)
            for b in 0..<q.blocks {
                let block = x[(b * 32)..<(b * 32 + 32)]
                let amax = block.map { abs($0) }.max()!
                #expect(q.scales[b] == amax / 32767)
                let exactSum = block.reduce(0.0) { $0 + Double($1) }
                #expect(abs(Double(q.sums[b]) - exactSum) <= 1e-6 * block.reduce(0.0) { $0 + Double(abs($1)) } + 1e-30)
                let largest = (0..<32).map { q.codes[b * 32 + $0].magnitude }.max()!
                for i in 0..<32 {
                    let code = q.codes[b * 32 + i]
                    #expect(code >= -32767 && code <= 32767)
                    // Round to nearest: the error is at most half a step (plus Float rounding of x/scale).
                    let error = abs(Double(q.scales[b]) * Double(code) - Double(block[block.startIndex + i]))
                    #expect(error <= Double(q.scales[b]) * 0.5001, "block \(b) element \(i)")
                }
                #expect(amax == 0 ? largest == 0 : largest == 32767, "block \(b): the largest |x| maps to ±32767")
                // The int8 coding of the same block (Q4_1 kernel).
                #expect(q.scaleSums8[2 * b] == amax / 127 && q.scaleSums8[2 * b + 1] == q.sums[b])
                #expect(q.scaleSums[2 * b] == q.scales[b] && q.scaleSums[2 * b + 1] == q.sums[b])
                let largest8 = (0..<32).map { q.codes8[b * 32 + $0].magnitude }.max()!
                #expect(amax == 0 ? largest8 == 0 : largest8 == 127, "block \(b): the largest |x| maps to ±127")
                for i in 0..<32 {
                    let code = q.codes8[b * 32 + i]
                    #expect(code >= -127)
                    let error = abs(Double(q.scaleSums8[2 * b]) * Double(code) - Double(block[block.startIndex + i]))
                    #expect(error <= Double(q.scaleSums8[2 * b]) * 0.5001, "int8 block \(b) element \(i)")
                }
            }
        }
    }

    /// The decode matvec against its definition in float64: Q4_1 row·x = Σ_b d·scale8_b·Σ q_w q8_x + m·Σ x,
    /// Q8_0 row·x = Σ_b d·scale_b·Σ q_w q_x, with the codes and scales `DecodeActivations` produced. Odd row
    /// counts (the one-row tail), several thread ranges, NaN-poisoned outputs with guard elements past the end.
    @Test(arguments: [GGMLBlockKind.q4_1, .q8_0])
    func decodeMatvecMatchesQuantizedDefinition(kind: GGMLBlockKind) {
        for (rows, cols) in [(1, 32), (3, 64), (37, 96), (67, 576), (129, 1536), (1000, 128)] {
            var rng = TestRandom(UInt64(rows * 7919 + cols))
            var (bytes, _) = kind == .q4_1 ? GGMLBlockKernelTests.q4_1(rows: rows, cols: cols, &rng)
                                           : GGMLBlockKernelTests.q8_0(rows: rows, cols: cols, &rng)
            if kind == .q8_0 { bytes[2] = 0x80; bytes[3] = 0x7F }       // -128 and 127 codes
            let x = Self.activations(cols: cols, &rng)
            let guardCount = 5
            var y = [Float](repeating: .nan, count: rows + guardCount)
            // Q4_1 rows use the int8 codes, Q8_0 rows the int16 codes (DecodeActivations).
            var codes: [Double] = [], scales: [Float] = [], sums: [Float] = []
            bytes.withUnsafeBytes { b in x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                let xq = DecodeActivations(xp.baseAddress!, cols: cols)
                if kind == .q4_1 {
                    codes = (0..<cols).map { Double(xq.codes8[$0]) }
                    scales = (0..<(cols / 32)).map { xq.scaleSums8[2 * $0] }
                } else {
                    codes = (0..<cols).map { Double(xq.codes[$0]) }
                    scales = Array(UnsafeBufferPointer(start: xq.scales, count: cols / 32))
                }
                sums = Array(UnsafeBufferPointer(start: xq.sums, count: cols / 32))
                GGMLBlockMatmul.matvec(kind, weights: b.baseAddress!, rows: rows, rowBytes: kind.rowBytes(cols: cols),
                                       xq: xq, y: yp.baseAddress!)
            } } }
            let rowBytes = kind.rowBytes(cols: cols)
            for r in 0..<rows {
                var ref = 0.0, magnitude = 0.0
                for blk in 0..<(cols / 32) {
                    let p = r * rowBytes + blk * kind.blockBytes
                    let d = Double(Float16(bitPattern: UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8))
                    var s = 0.0
                    for i in 0..<32 {
                        let qw: Double
                        if kind == .q4_1 {
                            let byte = bytes[p + 4 + i % 16]
                            qw = Double(i < 16 ? byte & 0x0F : byte >> 4)
                        } else {
                            qw = Double(Int8(bitPattern: bytes[p + 2 + i]))
                        }
                        s += qw * codes[blk * 32 + i]
                    }
                    let term = d * Double(scales[blk]) * s
                    ref += term
                    magnitude += abs(term)
                    if kind == .q4_1 {
                        let m = Double(Float16(bitPattern: UInt16(bytes[p + 2]) | UInt16(bytes[p + 3]) << 8))
                        ref += m * Double(sums[blk])
                        magnitude += abs(m * Double(sums[blk]))
                    }
                }
                // Float accumulation of exact integer block sums: a few ulps of the summed magnitudes.
                #expect(abs(Double(y[r]) - ref) <= 1e-5 * magnitude + 1e-30, "\(kind) [\(rows), \(cols)] row \(r): \(y[r]) vs \(ref)")
            }
            #expect(y[rows...].allSatisfy { $0.isNaN }, "wrote past the last row")
        }
    }
}
