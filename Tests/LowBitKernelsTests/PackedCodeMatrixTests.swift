import LowBitFormats
import Testing
import LowBitCore
@testable import LowBitKernels

/// `PackedCodeMatrix` (repacked codes; the int16 row-pair kernel and, for 1–5-bit codes, the octet kernel with int8
/// activations) against the float64 dequantize-then-multiply definition with the original Float activations.
@Suite("PackedCodeMatrix vs float64 references")
struct PackedCodeMatrixTests {
    enum Kind { case fpx(Int, Int), table(String), randomTable(Int), integer(Int, zeros: Bool) }

    static let cases: [(String, Kind)] = [
        ("fp6 e3m2", .fpx(3, 2)), ("fp5 e2m2", .fpx(2, 2)), ("fpe2m3", .fpx(2, 3)), ("fpe2m1", .fpx(2, 1)),
        ("fpe1m1", .fpx(1, 1)), ("nf4", .table("nf4")), ("nf3", .table("nf3")), ("nf2", .table("nf2")),
        ("lut4 random", .randomTable(4)), ("lut3 random", .randomTable(3)), ("lut2 random", .randomTable(2)),
        ("lut6 random", .randomTable(6)), ("lut5 random", .randomTable(5)), ("lut1 random", .randomTable(1)),
        ("int8 asym", .integer(8, zeros: true)), ("int4 asym", .integer(4, zeros: true)),
        ("int3 asym", .integer(3, zeros: true)), ("int2 asym", .integer(2, zeros: true)),
        ("int6 asym", .integer(6, zeros: true)), ("int8 sym", .integer(8, zeros: false)),
        ("int4 sym", .integer(4, zeros: false)),
    ]

    /// The activation coding each path must use (the bound below depends on it).
    static func expectedCoding(bits: Int, kind: Kind, int16: Bool, residual: Bool) -> PackedCodeMatrix.ActivationCoding {
        if !int16, halfFloats(kind) { return .float }
        if !int16, signedSixBit(kind) { return .int8Residual }
        if int16 || bits > 5 { return .int16 }
        if case .integer = kind, bits <= 4 { return .int8Residual }
        // Tables 7 bits cannot hold: two levels with the residual up to 4 bits, the int16 kernel at 5.
        if inexactTable(kind) { return bits <= 4 ? .int8Residual : .int16 }
        return residual ? .int8Residual : .int8
    }

    /// fp6 e3m2: the half-float octet path (fp16 bit placement, Float activations).
    static func halfFloats(_ kind: Kind) -> Bool {
        if case .fpx(3, 2) = kind { return true }
        return false
    }

    /// fpe2m3: the sign-magnitude octet path (magnitudes ≤ 60 after one power of two).
    static func signedSixBit(_ kind: Kind) -> Bool {
        if case .fpx(2, 3) = kind { return true }
        return false
    }

    /// NormalFloat and random tables: not integers after any power-of-two scaling within ±63.
    static func inexactTable(_ kind: Kind) -> Bool {
        switch kind {
        case .table, .randomTable: return true
        default: return false
        }
    }

    /// The kernels: octets with and without the table path's residual (small integer codes always use it), and the
    /// int16 row pairs.
    static let paths: [(int16: Bool, residual: Bool)] = [(false, true), (false, false), (true, true)]
    /// Inexact tables of every width the two-level octet kernel handles take it here (by default only 3 bits do).
    static let twoLevel: Set<Int> = [1, 2, 3, 4]

    /// Per-element activation error of a block whose largest |x| is b (round to nearest on the coding's grid).
    static func activationError(_ coding: PackedCodeMatrix.ActivationCoding, blockMax b: Double) -> Double {
        switch coding {
        case .int16: return b / 32767 / 2
        case .int8Residual: return b / 127 / 127 / 2
        case .int8: return b / 127 / 2
        case .float: return 0
        }
    }

    @Test(arguments: cases)
    func matchesDefinition(_ name: String, _ kind: Kind) throws {
        for (int16, residual) in Self.paths {
            try matchesDefinition(name, kind, int16: int16, residual: residual)
        }
    }

    func matchesDefinition(_ name: String, _ kind: Kind, int16: Bool, residual: Bool) throws {
        for (rows, cols, group, tokens) in [(37, 203, 64, 1), (19, 136, 1 << 20, 1), (5, 96, 32, 2), (33, 13, 1 << 20, 1),
                                            (8, 1031, 128, 1), (3, 4096, 128, 1), (6, 576, 64, 3)] {
            var rng = QRandom(UInt64(rows * 1000 + cols) &+ UInt64(name.utf8.reduce(0) { $0 &* 31 &+ Int($1) }))
            var table = [Float](repeating: 0, count: 256)
            let bits: Int
            var decoding = CodeDecoding.lookup, constantZero: Float = 0, stored = false
            switch kind {
            case .fpx(let e, let m):
                let f = try FPxFormat(exponentBits: e, mantissaBits: m)
                for (i, v) in f.decodeTable.enumerated() { table[i] = v }
                bits = f.bitWidth
                decoding = .fpx(exponentBits: e, mantissaBits: m)
            case .table(let n):
                let t = try LookupTable.named(n)
                for (i, v) in t.values.enumerated() { table[i] = v }
                bits = t.bits
            case .randomTable(let b):
                bits = b
                for i in 0..<(1 << b) { table[i] = rng.float() * 3 }
            case .integer(let b, let z):
                bits = b
                for i in 0..<(1 << b) { table[i] = Float(i) }
                decoding = .integer
                stored = z
                if !z { constantZero = Float(1 << (b - 1)) }
            }
            let gs = min(group, cols), groups = (cols + gs - 1) / gs
            let codes = (0..<(rows * cols)).map { _ in UInt8(rng.int(1 << bits)) }
            // Scales of both signs: a negative scale mirrors the table (`lowbit quantize --signed-scales`).
            let scales = (0..<(rows * groups)).map { _ in Float16((0.5 + rng.float() * 0.25) * (rng.int(2) == 0 ? 1 : -1)) }
            if rows * groups >= 8 { #expect(scales.contains { $0 < 0 } && scales.contains { $0 > 0 }) }
            let zeros = (0..<(rows * groups)).map { _ in Float16(Float(rng.int(1 << bits))) }
            // Activations with an outlier per token (the case block-wise quantization is for).
            var x = (0..<(tokens * cols)).map { _ in rng.float() }
            for t in 0..<tokens { x[t * cols + rng.int(cols)] = 40 }
            let (packed, rowBytes) = packRowsForTest(codes, rows: rows, cols: cols, bits: bits)
            var y = [Float](repeating: .nan, count: tokens * rows)
            var lastRow = [Float](repeating: .nan, count: cols)
            var tableError: Float = 0
            var coding = PackedCodeMatrix.ActivationCoding.int16
            let supported: Bool = packed.withUnsafeBufferPointer { pb in
                scales.withUnsafeBufferPointer { sb in
                    zeros.withUnsafeBufferPointer { zb in
                        table.withUnsafeBufferPointer { tb in
                            let view = CodeMatrixView(
                                rows: rows, cols: cols, bits: bits, groupSize: gs, codes: pb.baseAddress!, rowBytes: rowBytes,
                                scales: sb.baseAddress!, zeros: stored ? zb.baseAddress! : nil, constantZero: constantZero,
                                table: tb.baseAddress!, decoding: decoding)
                            guard let m = PackedCodeMatrix(view, int16: int16, tableResidual: residual, twoLevelBits: Self.twoLevel) else { return false }
                            tableError = m.tableError
                            coding = m.activationCoding
                            let inexact = Self.inexactTable(kind)
                            #expect(m.octets == (!int16 && (bits <= 4 || (bits == 5 && !inexact) || Self.halfFloats(kind) || Self.signedSixBit(kind))), "\(name)")
                            #expect(m.signedOctets == (!int16 && Self.signedSixBit(kind)), "\(name)")
                            #expect(m.halfFloats == (!int16 && Self.halfFloats(kind)), "\(name)")
                            #expect(m.splitTable == (m.octets && inexact), "\(name)")
                            if m.splitTable {
                                // Two levels: within 1/128 of a 7-bit step (m·max|t| = 63).
                                let maxAbs = table.prefix(1 << bits).map { abs($0) }.max()!
                                #expect(m.tableError <= maxAbs / (63 * 128) * 1.0001, "\(name): table error \(m.tableError)")
                            }
                            // 6-bit FPx takes the sign-magnitude path; a random 6-bit table the full lookup.
                            if bits == 6, case .fpx = kind { #expect(m.signSymmetric, "\(name)") }
                            if case .randomTable = kind { #expect(!m.signSymmetric, "\(name)") }
                            x.withUnsafeBufferPointer { xb in
                                y.withUnsafeMutableBufferPointer { m.matmul(x: xb.baseAddress!, tokens: tokens, y: $0.baseAddress!) }
                            }
                            lastRow.withUnsafeMutableBufferPointer { m.dequantizeRow(rows - 1, into: $0.baseAddress!) }
                            return true
                        }
                    }
                }
            }
            #expect(supported, "\(name): PackedCodeMatrix refused [\(rows)×\(cols)] group \(gs)")
            guard supported else { continue }
            let wanted = Self.expectedCoding(bits: bits, kind: kind, int16: int16, residual: residual)
            #expect(coding == wanted, "\(name): activations \(coding), expected \(wanted)")
            // Integer and FPx tables are exact in int16.
            if case .table = kind {} else if case .randomTable = kind {} else {
                #expect(tableError == 0, "\(name): table error \(tableError)")
            }
            // Dequantized rows equal the definition bit for bit.
            for k in 0..<cols {
                let g = (rows - 1) * groups + k / gs
                let z = stored ? Float(zeros[g]) : constantZero
                let want = (table[Int(codes[(rows - 1) * cols + k])] - z) * Float(scales[g])
                #expect(lastRow[k].bitPattern == want.bitPattern, "\(name) dequantized column \(k)")
            }
            var want = [Double](repeating: 0, count: tokens * rows), mag = want, bound = want
            for t in 0..<tokens {
                // Activation error per block of 32, from the block's largest |x| and the coding the path must use.
                var blockMax = [Double](repeating: 0, count: (cols + 31) / 32)
                for k in 0..<cols { blockMax[k / 32] = max(blockMax[k / 32], Double(abs(x[t * cols + k]))) }
                let err = blockMax.map { Self.activationError(wanted, blockMax: $0) }
                for r in 0..<rows {
                    for k in 0..<cols {
                        let g = r * groups + k / gs
                        let z = stored ? Double(zeros[g]) : Double(constantZero)
                        let v = Double(table[Int(codes[r * cols + k])]), s = Double(scales[g]), xk = Double(x[t * cols + k])
                        want[t * rows + r] += s * (v - z) * xk
                        mag[t * rows + r] += abs(s * (v - z) * xk) + abs(s * z * xk)
                        if tokens == 1 {
                            bound[r] += abs(s) * (abs(v) * err[k / 32] + Double(tableError) * (abs(xk) + err[k / 32]))
                        }
                    }
                }
            }
            var bad = 0
            for i in y.indices where !(abs(Double(y[i]) - want[i]) <= bound[i] * 1.001 + 2e-5 * (mag[i] + 1e-6)) {
                if bad < 3 { Issue.record("\(name) int16 \(int16) residual \(residual) [\(rows)×\(cols)] group \(gs): y[\(i)] = \(y[i]), reference \(want[i]), bound \(bound[i])") }
                bad += 1
            }
            #expect(bad == 0, "\(name): \(bad) outputs outside the bound")
        }
    }

    /// Every code at the table's largest or smallest value, activations at ±their block maximum (q = ±127) or at
    /// half a step (r = 64): the octet path's int16 sums at their limits (u = 15 or 126 against 127), where a
    /// table offset or a value range one too large would saturate vpmaddubsw. Both paths, float64 reference.
    @Test func extremeCodesStayWithinTheBound() throws {
        let fp5 = try FPxFormat(exponentBits: 2, mantissaBits: 2)
        let fp6 = try FPxFormat(exponentBits: 3, mantissaBits: 2)
        let nf4 = try LookupTable.named("nf4").values
        let formats: [(String, Int, [Float], CodeDecoding)] = [
            ("int4", 4, (0..<16).map(Float.init), .integer), ("int3", 3, (0..<8).map(Float.init), .integer),
            ("int2", 2, (0..<4).map(Float.init), .integer), ("int1", 1, [0, 1], .integer),
            ("nf4", 4, nf4, .lookup), ("fp5", 5, fp5.decodeTable, .fpx(exponentBits: 2, mantissaBits: 2)),
            ("fp6", 6, fp6.decodeTable, .fpx(exponentBits: 3, mantissaBits: 2)),
            ("fpe2m3", 6, try FPxFormat(exponentBits: 2, mantissaBits: 3).decodeTable, .fpx(exponentBits: 2, mantissaBits: 3)),
        ]
        let rows = 19, cols = 320, gs = 64, groups = cols / gs
        for (name, bits, values, decoding) in formats {
            var table = [Float](repeating: 0, count: 256)
            for (i, v) in values.enumerated() { table[i] = v }
            let extremes = [values.indices.max { values[$0] < values[$1] }!, values.indices.min { values[$0] < values[$1] }!]
            for code in extremes {
                for pattern in 0..<4 {
                    let codes = [UInt8](repeating: UInt8(code), count: rows * cols)
                    let scales = (0..<(rows * groups)).map { Float16(0.5 + Float($0 % 7) / 16) }
                    let x: [Float] = (0..<cols).map { k in
                        switch pattern {
                        case 0: return 1
                        case 1: return -1
                        case 2: return k % 2 == 0 ? 1 : -1
                        default: return k % 32 == 0 ? 1 : 1 / 254  // q = 0, r = 64 for all but one element per block
                        }
                    }
                    let (packed, rowBytes) = packRowsForTest(codes, rows: rows, cols: cols, bits: bits)
                    for (int16, residual) in Self.paths {
                        var y = [Float](repeating: .nan, count: rows)
                        var tableError: Float = 0, split = false, half = false, signed = false
                        packed.withUnsafeBufferPointer { pb in
                            scales.withUnsafeBufferPointer { sb in
                                table.withUnsafeBufferPointer { tb in
                                    let view = CodeMatrixView(
                                        rows: rows, cols: cols, bits: bits, groupSize: gs, codes: pb.baseAddress!, rowBytes: rowBytes,
                                        scales: sb.baseAddress!, zeros: nil, constantZero: 0, table: tb.baseAddress!, decoding: decoding)
                                    guard let m = PackedCodeMatrix(view, int16: int16, tableResidual: residual, twoLevelBits: Self.twoLevel) else { return }
                                    tableError = m.tableError
                                    split = m.splitTable
                                    half = m.halfFloats
                                    signed = m.signedOctets
                                    x.withUnsafeBufferPointer { xb in
                                        y.withUnsafeMutableBufferPointer { m.matmul(x: xb.baseAddress!, tokens: 1, y: $0.baseAddress!) }
                                    }
                                }
                            }
                        }
                        for r in 0..<rows {
                            var want = 0.0, mag = 0.0, bound = 0.0
                            for k in 0..<cols {
                                let s = Double(scales[r * groups + k / gs]), v = Double(table[code])
                                want += s * v * Double(x[k])
                                mag += abs(s * v * Double(x[k]))
                                // x lies on the int8 grid (q = ±127) except pattern 3's half steps: off by half a step with
                                // int8 alone, by the residual's worst case 1/(127·254) with it (127 · 0.5 = 63.5 rounds to
                                // 64), by at most that with int16.
                                // fp6 off the int16 kernel: Float activations, exact.
                                let withResidual = residual || split || signed || (bits <= 4 && decoding == .integer)
                                let e = pattern != 3 || half ? 0 : (int16 ? 1.0 / 65534 : (withResidual ? 1.0 / (127 * 254) : 1.0 / 254))
                                bound += s * (abs(v) * e + Double(tableError) * (abs(Double(x[k])) + e))
                            }
                            #expect(half == (name == "fp6" && !int16) && signed == (name == "fpe2m3" && !int16), "\(name)")
                            #expect(abs(Double(y[r]) - want) <= bound * 1.001 + 2e-5 * mag + 1e-6,
                                    "\(name) code \(code) pattern \(pattern) int16 \(int16) residual \(residual): y[\(r)] = \(y[r]), reference \(want)")
                        }
                    }
                }
            }
        }
    }

    /// The 6-bit octet layout (fp16 high bytes; slots 6 and 7 in the spare bits) stores every code at every place
    /// and reads it back, and places never overlap: each code written alone leaves every other place at 0.
    @Test func sixBitOctetLayoutRoundTrips() {
        let layout = OctetLayout(bits: 6)
        var record = [UInt8](repeating: 0, count: layout.recordBytes)
        #expect(layout.recordBytes == 192)
        for row in 0..<8 {
            for e in 0..<32 {
                for code in [1, 2, 5, 16, 31, 32, 33, 47, 63] as [UInt8] {
                    for i in record.indices { record[i] = 0 }
                    record.withUnsafeMutableBytes { layout.place(code, row: row, element: e, record: $0.baseAddress!) }
                    #expect(record.reduce(0) { $0 + $1.nonzeroBitCount } == code.nonzeroBitCount)
                    record.withUnsafeBytes { rb in
                        #expect(layout.code(row: row, element: e, record: rb.baseAddress!) == code)
                        #expect(layout.code(row: (row + 1) % 8, element: e, record: rb.baseAddress!) == 0)
                        #expect(layout.code(row: row, element: (e + 5) % 32, record: rb.baseAddress!) == 0)
                    }
                }
            }
        }
    }

    @Test func refusesWhatItCannotRun() {
        var table = [Float](repeating: 0, count: 256)
        for i in 0..<256 { table[i] = Float(i) }
        let codes = [UInt8](repeating: 0, count: 4096)
        let scales = [Float16](repeating: 1, count: 512)
        codes.withUnsafeBufferPointer { cb in
            scales.withUnsafeBufferPointer { sb in
                table.withUnsafeMutableBufferPointer { tb in
                    func view(bits: Int, group: Int) -> CodeMatrixView {
                        CodeMatrixView(rows: 4, cols: 256, bits: bits, groupSize: group, codes: cb.baseAddress!, rowBytes: 256,
                                       scales: sb.baseAddress!, zeros: nil, constantZero: 0, table: tb.baseAddress!, decoding: .lookup)
                    }
                    #if arch(x86_64) && os(Linux)
                    #expect(PackedCodeMatrix(view(bits: 4, group: 64)) != nil)
                    #expect(PackedCodeMatrix(view(bits: 8, group: 64)) != nil)
                    #endif
                    #expect(PackedCodeMatrix(view(bits: 4, group: 16)) == nil)
                    #expect(PackedCodeMatrix(view(bits: 7, group: 64)) == nil)
                    tb[3] = 0.5
                    #expect(PackedCodeMatrix(view(bits: 8, group: 64)) == nil)
                }
            }
        }
    }

    /// Tables the octet path holds exactly (integers, FPx e2m2/e2m1) take it with one level and no table error;
    /// by default 3-bit tables it cannot hold (NormalFloat, learned) with two levels, within 1/128 of a 7-bit step;
    /// the others keep the int16 kernel. So CPU decode stays as exact as the GPU kernels' fp16 tables.
    @Test func octetTablesAreExactOrTwoLevel() throws {
        #if arch(x86_64) && os(Linux)
        let codes = [UInt8](repeating: 0, count: 4096)
        let scales = [Float16](repeating: 1, count: 512)
        var tables: [(String, [Float], Int, exact: Bool)] = []
        tables.append(("int4", (0..<16).map { Float($0) }, 4, true))
        tables.append(("fp5 e2m2", try FPxFormat(exponentBits: 2, mantissaBits: 2).decodeTable, 5, true))
        tables.append(("fpe2m1", try FPxFormat(exponentBits: 2, mantissaBits: 1).decodeTable, 4, true))
        tables.append(("nf4", (0..<16).map { LookupTable.nf4.values[$0] }, 4, false))
        tables.append(("nf3", (0..<8).map { LookupTable.nf3.values[$0] }, 3, false))
        tables.append(("nf2", (0..<4).map { LookupTable.nf2.values[$0] }, 2, false))
        tables.append(("lut5", (0..<32).map { Float($0) * 0.37 - 5 }, 5, false))
        for (name, values, bits, exact) in tables {
            var table = [Float](repeating: 0, count: 256)
            for (i, v) in values.enumerated() { table[i] = v }
            codes.withUnsafeBufferPointer { cb in
                scales.withUnsafeBufferPointer { sb in
                    table.withUnsafeBufferPointer { tb in
                        let view = CodeMatrixView(rows: 16, cols: 256, bits: bits, groupSize: 64, codes: cb.baseAddress!,
                                                  rowBytes: 256, scales: sb.baseAddress!, zeros: nil, constantZero: 0,
                                                  table: tb.baseAddress!, decoding: .lookup)
                        let m = PackedCodeMatrix(view, int16: false, tableResidual: false)
                        let twoLevel = !exact && bits == 3
                        #expect(m?.octets == (exact || twoLevel), "\(name)")
                        #expect(m?.splitTable == twoLevel, "\(name)")
                        let maxAbs = values.map { abs($0) }.max()!
                        let bound: Float = exact ? 0 : (twoLevel ? maxAbs / (63 * 128) : maxAbs / 32766)
                        #expect((m?.tableError ?? 1) <= bound * 1.0001, "\(name): \(m?.tableError ?? -1) > \(bound)")
                        // Two-level tables always carry the activation residual.
                        if twoLevel { #expect(m?.activationCoding == .int8Residual, "\(name)") }
                    }
                }
            }
        }
        #endif
    }
}
