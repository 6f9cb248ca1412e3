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
                #expect(q.scales8[b] == amax / 127)
                let largest8 = (0..<32).map { q.codes8[b * 64 + $0].magnitude }.max()!
                #expect(amax == 0 ? largest8 == 0 : largest8 == 127, "block \(b): the largest |x| maps to ±127")
                for i in 0..<32 {
                    let code = q.codes8[b * 64 + i], residual = q.codes8[b * 64 + 32 + i]
                    #expect(code >= -127 && residual >= -64 && residual <= 64)
                    let x = Double(block[block.startIndex + i]), s8 = Double(q.scales8[b])
                    #expect(abs(s8 * Double(code) - x) <= s8 * 0.5001, "int8 block \(b) element \(i)")
                    // With the residual: half a step of scale8/127 (plus Float rounding of x/scale8).
                    #expect(abs(s8 * (Double(code) + Double(residual) / 127) - x) <= s8 / 127 * 0.5001 + s8 * 1e-5,
                            "int8 + residual, block \(b) element \(i)")
                }
            }
        }
    }

    /// Σ_b d·scale_b·Σ q_w q_x (+ m·Σx for Q4_1) in float64 for row r of GGML row-major `bytes`, over the codes
    /// and scales `DecodeActivations` produced (int8 + residual/127 for Q4_1, int16 for Q8_0); also Σ of the
    /// terms' magnitudes.
    static func reference(_ kind: GGMLBlockKind, _ bytes: [UInt8], row r: Int, cols: Int,
                          xq: borrowing DecodeActivations) -> (value: Double, magnitude: Double) {
        let rowBytes = kind.rowBytes(cols: cols)
        var ref = 0.0, magnitude = 0.0
        for blk in 0..<(cols / 32) {
            let p = r * rowBytes + blk * kind.blockBytes
            let d = Double(Float16(bitPattern: UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8))
            var s = 0.0
            for i in 0..<32 {
                if kind == .q4_1 {
                    let byte = bytes[p + 4 + i % 16]
                    s += Double(i < 16 ? byte & 0x0F : byte >> 4)
                        * (Double(xq.codes8[blk * 64 + i]) + Double(xq.codes8[blk * 64 + 32 + i]) / 127)
                } else {
                    s += Double(Int8(bitPattern: bytes[p + 2 + i])) * Double(xq.codes[blk * 32 + i])
                }
            }
            let term = d * Double(kind == .q4_1 ? xq.scales8[blk] : xq.scales[blk]) * s
            ref += term
            magnitude += abs(term)
            if kind == .q4_1 {
                let m = Double(Float16(bitPattern: UInt16(bytes[p + 2]) | UInt16(bytes[p + 3]) << 8))
                ref += m * Double(xq.sums[blk])
                magnitude += abs(m * Double(xq.sums[blk]))
            }
        }
        return (ref, magnitude)
    }

    static func randomRows(_ kind: GGMLBlockKind, rows: Int, cols: Int, _ rng: inout TestRandom) -> [UInt8] {
        var (bytes, _) = kind == .q4_1 ? GGMLBlockKernelTests.q4_1(rows: rows, cols: cols, &rng)
                                       : GGMLBlockKernelTests.q8_0(rows: rows, cols: cols, &rng)
        if kind == .q8_0 { bytes[2] = 0x80; bytes[3] = 0x7F }       // -128 and 127 codes
        if kind == .q4_1 { bytes[4] = 0xFF; bytes[5] = 0x0F }       // nibbles 15 (both) and 15 / 0
        return bytes
    }

    /// The decode matvec (rows repacked 8 at a time, `GGMLInterleavedRows`) against its definition in float64.
    /// Row counts that are not multiples of 8 (a padded last group), several thread ranges, NaN-poisoned
    /// outputs with guard elements past the end; the portable kernels (other architectures) on the same data.
    @Test(arguments: [GGMLBlockKind.q4_1, .q8_0])
    func decodeMatvecMatchesQuantizedDefinition(kind: GGMLBlockKind) {
        for (rows, cols) in [(1, 32), (3, 64), (37, 96), (67, 576), (129, 1536), (1000, 128), (8, 32), (9, 160)] {
            var rng = TestRandom(UInt64(rows * 7919 + cols))
            let bytes = Self.randomRows(kind, rows: rows, cols: cols, &rng)
            let x = Self.activations(cols: cols, &rng)
            let guardCount = 5
            var y = [Float](repeating: .nan, count: rows + guardCount)
            var portable = [Float](repeating: .nan, count: rows)
            var refs: [(value: Double, magnitude: Double)] = []
            bytes.withUnsafeBytes { b in x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                let xq = DecodeActivations(xp.baseAddress!, cols: cols)
                let packed = GGMLInterleavedRows(kind: kind, weights: b.baseAddress!, rows: rows, cols: cols)
                #expect(packed.groups == (rows + 7) / 8 && packed.byteCount == packed.groups * 8 * kind.rowBytes(cols: cols))
                GGMLBlockMatmul.matvec(packed, xq: xq, y: yp.baseAddress!)
                for g in 0..<packed.groups {
                    let v = kind == .q4_1
                        ? GGMLIntegerDot.portableQ4_1(packed.group(g), blocks: xq.blocks, codes8: xq.codes8,
                                                      scales8: xq.scales8, sums: xq.sums)
                        : GGMLIntegerDot.portableQ8_0(packed.group(g), blocks: xq.blocks, codes: xq.codes, scales: xq.scales)
                    for i in 0..<min(8, rows - 8 * g) { portable[8 * g + i] = v[i] }
                }
                refs = (0..<rows).map { Self.reference(kind, bytes, row: $0, cols: cols, xq: xq) }
            } } }
            for r in 0..<rows {
                // Float accumulation of exact integer block sums: a few ulps of the summed magnitudes.
                let (ref, magnitude) = refs[r]
                #expect(abs(Double(y[r]) - ref) <= 1e-5 * magnitude + 1e-30, "\(kind) [\(rows), \(cols)] row \(r): \(y[r]) vs \(ref)")
                #expect(abs(Double(portable[r]) - ref) <= 1e-5 * magnitude + 1e-30, "portable \(kind) [\(rows), \(cols)] row \(r)")
            }
            #expect(y[rows...].allSatisfy { $0.isNaN }, "wrote past the last row")
        }
    }

    /// Several matrices of both kinds sharing one input in one dispatch (q/k/v, gate/up): each part's rows
    /// land in its own output, none past it, whatever the thread ranges cut.
    @Test func matvecGroupKeepsPartsApart() {
        let cols = 192
        var rng = TestRandom(5)
        let shapes: [(GGMLBlockKind, Int)] = [(.q4_1, 13), (.q8_0, 21), (.q4_1, 8), (.q4_1, 1), (.q8_0, 40)]
        let x = Self.activations(cols: cols, &rng)
        let data = shapes.map { Self.randomRows($0.0, rows: $0.1, cols: cols, &rng) }
        var outputs = shapes.map { [Float](repeating: .nan, count: $0.1 + 3) }
        x.withUnsafeBufferPointer { xp in
            let xq = DecodeActivations(xp.baseAddress!, cols: cols)
            let matrices = zip(shapes, data).map { shape, bytes in
                bytes.withUnsafeBytes { GGMLInterleavedRows(kind: shape.0, weights: $0.baseAddress!, rows: shape.1, cols: cols) }
            }
            let ys = outputs.indices.map { i in UnsafeMutablePointer<Float>.allocate(capacity: outputs[i].count) }
            defer { ys.forEach { $0.deallocate() } }
            for (i, y) in ys.enumerated() { y.initialize(from: outputs[i], count: outputs[i].count) }
            GGMLBlockMatmul.matvecGroup(zip(matrices, ys).map { GGMLMatvecPart($0, y: $1) }, xq: xq)
            for (i, y) in ys.enumerated() { outputs[i] = Array(UnsafeBufferPointer(start: y, count: outputs[i].count)) }
            for (i, shape) in shapes.enumerated() {
                for r in 0..<shape.1 {
                    let (ref, magnitude) = Self.reference(shape.0, data[i], row: r, cols: cols, xq: xq)
                    #expect(abs(Double(outputs[i][r]) - ref) <= 1e-5 * magnitude + 1e-30, "part \(i) row \(r)")
                }
                #expect(outputs[i][shape.1...].allSatisfy { $0.isNaN }, "part \(i) wrote past its rows")
            }
        }
    }
}
