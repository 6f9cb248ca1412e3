import LowBitFormats
import Testing
import LowBitCore
@testable import LowBitKernels

/// Deterministic generator for test data.
struct QRandom {
    var base: SplitMix64
    init(_ seed: UInt64) { base = SplitMix64(seed: seed &+ 0x1234_5678) }
    mutating func next() -> UInt64 { base.next() }
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Packs row-major codes row by row MSB-first (the checkpoint layout), with 8 spare bytes.
func packRowsForTest(_ codes: [UInt8], rows: Int, cols: Int, bits: Int) -> (bytes: [UInt8], rowBytes: Int) {
    let rowBytes = (cols * bits + 7) / 8
    var out = [UInt8](repeating: 0, count: rows * rowBytes + 8)
    for r in 0..<rows {
        for k in 0..<cols {
            let c = Int(codes[r * cols + k])
            for b in 0..<bits where (c >> (bits - 1 - b)) & 1 == 1 {
                let bit = k * bits + b
                out[r * rowBytes + bit / 8] |= UInt8(0x80 >> (bit % 8))
            }
        }
    }
    return (out, rowBytes)
}

/// |got − want| ≤ 1e-4 · (Σ|terms| + 1e-6) for every output; outputs were poisoned with NaN first.
func expectClose(_ got: [Float], _ want: [Double], _ magnitude: [Double], _ what: String) {
    #expect(got.count == want.count)
    var bad = 0
    for i in got.indices where !(abs(Double(got[i]) - want[i]) <= 1e-4 * (magnitude[i] + 1e-6)) {
        if bad < 3 { Issue.record("\(what): output \(i) = \(got[i]), reference \(want[i])") }
        bad += 1
    }
    #expect(bad == 0, "\(what): \(bad) outputs differ")
}

@Suite("Quantized CPU kernels vs float64 references")
struct QuantizedKernelTests {
    /// Every decoding × bits × grouping × zero-point mode, one token and several, odd shapes.
    @Test(arguments: [
        ("fpx e3m2", 6, 0), ("fpx e2m2", 5, 0), ("fpx e2m3", 6, 0), ("fpx e4m3", 8, 0), ("fpx e5m2 (table path)", 8, 0),
        ("fpx e2m1", 4, 0), ("lookup nf4", 4, 1), ("lookup nf3", 3, 1), ("lookup nf2", 2, 1),
        ("integer asym 4", 4, 2), ("integer asym 3", 3, 2), ("integer asym 8", 8, 2), ("integer sym 2", 2, 3),
    ])
    func codeMatmul(_ name: String, _ bits: Int, _ mode: Int) throws {
        for (rows, cols, group, tokens) in [(37, 203, 64, 1), (19, 136, 1 << 20, 3), (5, 96, 32, 2), (33, 13, 8, 1), (8, 1031, 128, 4)] {
            var rng = QRandom(UInt64(rows * 1000 + cols + bits))
            let decoding: CodeDecoding
            var table = [Float](repeating: 0, count: 256)
            switch mode {
            case 0:
                let parts = name.split(separator: " ")[1]
                let e = Int(String(parts.dropFirst().prefix(1)))!, m = Int(String(parts.suffix(1)))!
                let f = try FPxFormat(exponentBits: e, mantissaBits: m)
                for (i, v) in f.decodeTable.enumerated() { table[i] = v }
                decoding = .fpx(exponentBits: e, mantissaBits: m)
            case 1:
                let t = try LookupTable.named(String(name.split(separator: " ")[1]))
                for (i, v) in t.values.enumerated() { table[i] = v }
                decoding = .lookup
            default:
                for i in 0..<(1 << bits) { table[i] = Float(i) }
                decoding = .integer
            }
            let gs = min(group, cols), groups = (cols + gs - 1) / gs
            let codes = (0..<(rows * cols)).map { _ in UInt8(rng.int(1 << bits)) }
            // Scales of both signs: a negative scale mirrors the table (`lowbit quantize --signed-scales`).
            let scales = (0..<(rows * groups)).map { _ in Float16((0.5 + rng.float() * 0.25) * (rng.int(2) == 0 ? 1 : -1)) }
            #expect(scales.contains { $0 < 0 } && scales.contains { $0 > 0 })
            let zeros = (0..<(rows * groups)).map { _ in Float16(Float(rng.int(1 << bits))) }
            let constantZero: Float = mode == 3 ? Float(1 << (bits - 1)) : 0
            let x = (0..<(tokens * cols)).map { _ in rng.float() }
            let (packed, rowBytes) = packRowsForTest(codes, rows: rows, cols: cols, bits: bits)
            var y = [Float](repeating: .nan, count: tokens * rows)
            packed.withUnsafeBufferPointer { pb in
                scales.withUnsafeBufferPointer { sb in
                    zeros.withUnsafeBufferPointer { zb in
                        table.withUnsafeBufferPointer { tb in
                            let view = CodeMatrixView(
                                rows: rows, cols: cols, bits: bits, groupSize: gs, codes: pb.baseAddress!, rowBytes: rowBytes,
                                scales: sb.baseAddress!, zeros: mode == 2 ? zb.baseAddress! : nil, constantZero: constantZero,
                                table: tb.baseAddress!, decoding: decoding)
                            x.withUnsafeBufferPointer { xb in
                                y.withUnsafeMutableBufferPointer { CodeMatmul.matmul(view, x: xb.baseAddress!, tokens: tokens, y: $0.baseAddress!) }
                            }
                            // Dequantized rows equal the definition exactly.
                            var row = [Float](repeating: .nan, count: cols)
                            row.withUnsafeMutableBufferPointer { CodeMatmul.dequantizeRow(view, row: rows - 1, into: $0.baseAddress!) }
                            for k in 0..<cols {
                                let g = (rows - 1) * groups + k / gs
                                let z = mode == 2 ? Float(zeros[g]) : constantZero
                                let want = (table[Int(codes[(rows - 1) * cols + k])] - z) * Float(scales[g])
                                #expect(row[k].bitPattern == want.bitPattern, "\(name) dequantized column \(k)")
                            }
                        }
                    }
                }
            }
            var want = [Double](repeating: 0, count: tokens * rows), mag = want
            for t in 0..<tokens {
                for r in 0..<rows {
                    for k in 0..<cols {
                        let g = r * groups + k / gs
                        let z = mode == 2 ? Double(zeros[g]) : Double(constantZero)
                        let w = Double(scales[g]) * (Double(table[Int(codes[r * cols + k])]) - z)
                        want[t * rows + r] += w * Double(x[t * cols + k])
                        mag[t * rows + r] += abs(w * Double(x[t * cols + k]))
                    }
                }
            }
            expectClose(y, want, mag, "\(name) [\(rows)×\(cols)] group \(gs) tokens \(tokens)")
        }
    }

    @Test func fpxArithmeticDecodeMatchesTableForEveryCode() throws {
        for (e, m) in [(3, 2), (2, 2), (2, 3), (3, 1), (2, 1), (4, 3), (1, 2), (3, 4)] {
            let f = try FPxFormat(exponentBits: e, mantissaBits: m)
            let d = FPxDecoder(exponentBits: e, mantissaBits: m)
            for c in 0..<(1 << f.bitWidth) {
                #expect(d.value(UInt32(c)) == f.decodeTable[c], "e\(e)m\(m) code \(c)")
            }
            for base in stride(from: 0, to: 1 << f.bitWidth, by: 8) {
                var v = SIMD8<UInt32>()
                for i in 0..<8 { v[i] = UInt32(min(base + i, (1 << f.bitWidth) - 1)) }
                let got = d.values8(v)
                for i in 0..<8 { #expect(got[i] == f.decodeTable[Int(v[i])], "e\(e)m\(m) code \(v[i])") }
            }
        }
    }

    @Test(arguments: [(1, 8), (2, 2), (2, 8), (3, 4), (4, 4), (4, 8), (8, 8), (3, 3)])
    func bipolarMatmul(_ q: Int, _ p: Int) {
        for (rows, cols, group, tokens) in [(13, 200, 1 << 20, 1), (9, 256, 128, 3), (7, 70, 64, 2)] {
            var rng = QRandom(UInt64(q * 100 + p * 10 + cols))
            let gs = min(group, cols), groups = (cols + gs - 1) / gs, wpr = (cols + 63) / 64
            let codes = (0..<(rows * cols)).map { _ in rng.int(1 << q) }
            let scales = (0..<(rows * groups)).map { _ in Float16(0.1 + abs(rng.float())) }
            var planes = [UInt64](repeating: 0, count: q * rows * wpr)
            var sums = [Int32](repeating: 0, count: rows * groups)
            for r in 0..<rows {
                for k in 0..<cols {
                    sums[r * groups + k / gs] += Int32(codes[r * cols + k])
                    for j in 0..<q where (codes[r * cols + k] >> j) & 1 == 1 { planes[(j * rows + r) * wpr + k / 64] |= 1 << UInt64(k % 64) }
                }
            }
            let x = (0..<(tokens * cols)).map { _ in rng.float() * 3 }
            var y = [Float](repeating: .nan, count: tokens * rows)
            // The vpmaddubsw octet kernel (1–4-bit weights on x86-64), same data; poisoned output too.
            var yOctets = [Float](repeating: .nan, count: tokens * rows)
            var octets = false
            planes.withUnsafeBufferPointer { pb in
                scales.withUnsafeBufferPointer { sb in
                    sums.withUnsafeBufferPointer { cb in
                        let view = BipolarPlanesView(rows: rows, cols: cols, weightBits: q, groupSize: gs, wordsPerRow: wpr,
                                                     planes: pb.baseAddress!, scales: sb.baseAddress!, codeSums: cb.baseAddress!)
                        x.withUnsafeBufferPointer { xb in
                            y.withUnsafeMutableBufferPointer { BipolarMatmul.matmul(view, activationBits: p, x: xb.baseAddress!, tokens: tokens, y: $0.baseAddress!) }
                            if let o = BipolarOctets(view, activationBits: p) {
                                octets = true
                                yOctets.withUnsafeMutableBufferPointer { o.matmul(x: xb.baseAddress!, tokens: tokens, y: $0.baseAddress!) }
                            }
                        }
                    }
                }
            }
            #if arch(x86_64) && os(Linux)
            #expect(octets == (q <= 4), "w\(q)a\(p): octet kernel used")
            #endif
            var want = [Double](repeating: 0, count: tokens * rows), mag = want
            var a = [UInt8](repeating: 0, count: cols)
            for t in 0..<tokens {
                let sa = x.withUnsafeBufferPointer { xb in
                    a.withUnsafeMutableBufferPointer { BipolarMatmul.quantizeActivations(xb.baseAddress! + t * cols, count: cols, bits: p, codes: $0.baseAddress!) }
                }
                for r in 0..<rows {
                    for k in 0..<cols {
                        let w = Double(scales[r * groups + k / gs]) * Double(2 * codes[r * cols + k] - (1 << q) + 1)
                        let xa = Double(sa) * Double(2 * Int(a[k]) - (1 << p) + 1)
                        want[t * rows + r] += w * xa
                        mag[t * rows + r] += abs(w * xa)
                    }
                }
            }
            expectClose(y, want, mag, "bipolar w\(q)a\(p) [\(rows)×\(cols)] group \(gs)")
            // The octet kernel's integer sums are exact: only the Float scaling rounds (2e-6 instead of 1e-4).
            if octets {
                var bad = 0
                for i in yOctets.indices where !(abs(Double(yOctets[i]) - want[i]) <= 2e-6 * (mag[i] + 1e-6)) {
                    if bad < 3 { Issue.record("bipolar octets w\(q)a\(p) [\(rows)×\(cols)] group \(gs): y[\(i)] = \(yOctets[i]), reference \(want[i])") }
                    bad += 1
                }
                #expect(bad == 0, "bipolar octets w\(q)a\(p): \(bad) outputs differ")
            }
        }
    }

    @Test func bipolarActivationCodesAreNearestOddLevel() {
        var rng = QRandom(7)
        for bits in 1...8 {
            let x = (0..<50).map { _ in rng.float() * 5 } + [0]
            var a = [UInt8](repeating: 0, count: x.count)
            let s = x.withUnsafeBufferPointer { xb in a.withUnsafeMutableBufferPointer { BipolarMatmul.quantizeActivations(xb.baseAddress!, count: x.count, bits: bits, codes: $0.baseAddress!) } }
            let top = (1 << bits) - 1
            for (i, v) in x.enumerated() {
                let got = Double(2 * Int(a[i]) - top) * Double(s)
                let best = (0...top).map { Double(2 * $0 - top) * Double(s) }.map { abs($0 - Double(v)) }.min()!
                #expect(abs(got - Double(v)) <= best + 1e-5 * Double(s), "bits \(bits) x \(v)")
            }
        }
    }

    @Test(arguments: [(4, 4, 0), (4, 4, 9), (8, 8, 17), (4, 8, 3)])
    func quikMatmul(_ wb: Int, _ ab: Int, _ nOut: Int) throws {
        for (rows, cols, tokens) in [(11, 77, 1), (6, 130, 4)] {
            var rng = QRandom(UInt64(rows + cols * 7 + nOut))
            let outl = try OutlierColumns(Array(stride(from: 3, to: cols, by: max(1, cols / max(nOut, 1))).prefix(nOut)), columns: cols)
            let n = outl.inliers.count
            let qmax = (1 << (wb - 1)) - 1
            let codes = (0..<(rows * n)).map { _ in UInt8(rng.int(2 * qmax + 1) + 1) }
            let scales = (0..<rows).map { _ in Float16(0.05 + abs(rng.float()) * 0.1) }
            let ow = (0..<(rows * nOut)).map { _ in Float16(rng.float()) }
            var rowSums = [Float](repeating: 0, count: rows)
            for r in 0..<rows { for k in 0..<n { rowSums[r] += Float(scales[r]) * Float(Int(codes[r * n + k]) - (qmax + 1)) } }
            let (packed, rowBytes) = packRowsForTest(codes, rows: rows, cols: n, bits: wb)
            var x = (0..<(tokens * cols)).map { _ in rng.float() }
            for t in 0..<tokens { for c in outl.outliers { x[t * cols + c] *= 20 } }
            let a = try QuantizedActivations.quantize(x, rows: tokens, columns: cols, bits: ab, outliers: outl)
            var y = [Float](repeating: .nan, count: tokens * rows)
            // The vpmaddubsw octet kernel (≤ 4-bit weights on x86-64): the same integer sums and Float epilogue.
            var yOctets = [Float](repeating: .nan, count: tokens * rows)
            var octets = false
            packed.withUnsafeBufferPointer { pb in
                scales.withUnsafeBufferPointer { sb in
                    rowSums.withUnsafeBufferPointer { rb in
                        ow.withUnsafeBufferPointer { ob in
                            let view = QuikWeightsView(rows: rows, inliers: n, bits: wb, codes: pb.baseAddress!, rowBytes: rowBytes,
                                                       scales: sb.baseAddress!, rowSums: rb.baseAddress!, outlierCount: nOut,
                                                       outlierWeights: ob.baseAddress!)
                            y.withUnsafeMutableBufferPointer { QuikMatmul.matmul(view, activations: a, y: $0.baseAddress!) }
                            if let o = QuikOctets(view) {
                                octets = true
                                yOctets.withUnsafeMutableBufferPointer { o.matmul(activations: a, y: $0.baseAddress!) }
                            }
                        }
                    }
                }
            }
            let xd = a.dequantize()
            var want = [Double](repeating: 0, count: tokens * rows), mag = want
            for t in 0..<tokens {
                for r in 0..<rows {
                    for (j, c) in outl.inliers.enumerated() {
                        let w = Double(scales[r]) * Double(Int(codes[r * n + j]) - (qmax + 1))
                        want[t * rows + r] += w * Double(xd[t * cols + c]); mag[t * rows + r] += abs(w * Double(xd[t * cols + c]))
                    }
                    for (j, c) in outl.outliers.enumerated() {
                        let w = Double(ow[r * nOut + j])
                        want[t * rows + r] += w * Double(x[t * cols + c]); mag[t * rows + r] += abs(w * Double(x[t * cols + c]))
                    }
                }
            }
            expectClose(y, want, mag, "quik w\(wb)a\(ab) outliers \(nOut) [\(rows)×\(cols)]")
            #if arch(x86_64) && os(Linux)
            #expect(octets == (wb <= 4), "quik w\(wb): octet kernel used")
            #endif
            // Same integer sum and epilogue as QuikMatmul: bit for bit.
            if octets {
                #expect(zip(yOctets, y).allSatisfy { $0.bitPattern == $1.bitPattern }, "quik octets w\(wb)a\(ab) outliers \(nOut) [\(rows)×\(cols)]")
                expectClose(yOctets, want, mag, "quik octets w\(wb)a\(ab) outliers \(nOut) [\(rows)×\(cols)]")
            }
        }
    }
}
