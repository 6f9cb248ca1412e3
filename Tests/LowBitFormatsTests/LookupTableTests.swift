import Foundation
import Testing
@testable import LowBitFormats
import LowBitCore

@Suite struct LookupTableTests {
    /// QLoRA / bitsandbytes NF4, as published (also in FLUTE `flute/nf_utils.py`), written here as the
    /// Float32 bit patterns of those decimal constants (each decimal
    /// is the shortest repr of a Float32; the hex was computed from them with Python's struct module).
    static let publishedNF4Bits: [UInt32] = [
        0xBF80_0000, 0xBF32_39B1, 0xBF06_6B30, 0xBECA_32A0, 0xBE91_A24D, 0xBE3D_353F, 0xBDBA_7871, 0x0000_0000,
        0x3DA2_FAFF, 0x3E24_CAE3, 0x3E7C_04DD, 0x3EAD_033A, 0x3EE1_A4B8, 0x3F10_07AB, 0x3F39_13B3, 0x3F80_0000,
    ]

    @Test func nf4EqualsThePublishedConstants() {
        #expect(LookupTable.nf4.values.map(\.bitPattern) == Self.publishedNF4Bits)
        #expect(LookupTable.nf4.values[1] == -0.6961928009986877 && LookupTable.nf4.values[14] == 0.7229568362236023)
        #expect(LookupTable.nf4.bits == 4 && LookupTable.nf4.maxMagnitude == 1)
    }

    /// The construction used for NF3/NF2 reproduces NF4 bit for bit when run with b = 4.
    @Test func constructionReproducesNF4() {
        let built = LookupTable.normalFloatConstruction(bits: 4)
        let worst = zip(built, LookupTable.nf4Values).map { abs($0 - $1) }.max()!
        let exact = zip(built, LookupTable.nf4Values).filter { $0 == $1 }.count
        print("NF4 construction: max |difference| \(worst), \(exact)/16 bit-identical")
        #expect(built.map(\.bitPattern) == LookupTable.nf4Values.map(\.bitPattern))
    }

    /// lut-flute.md §2 (double-precision formula values).
    @Test func nf3AndNF2() {
        let nf3: [Float] = [-1, -0.478629, -0.217142, 0, 0.160930, 0.337915, 0.562617, 1]
        let nf2: [Float] = [-1, 0, 0.337915, 1]
        #expect(LookupTable.nf3.bits == 3 && LookupTable.nf2.bits == 2)
        for (a, b) in zip(LookupTable.nf3.values, nf3) { #expect(abs(a - b) <= 2e-6, "NF3 \(a) vs \(b)") }
        for (a, b) in zip(LookupTable.nf2.values, nf2) { #expect(abs(a - b) <= 2e-6, "NF2 \(a) vs \(b)") }
        // Ends are exactly ±1 and zero is exact.
        for t in [LookupTable.nf2, .nf3, try! LookupTable.normalFloat(bits: 5)] {
            #expect(t.values.first == -1 && t.values.last == 1 && t.values.contains(0))
            #expect(t.values == t.values.sorted())
        }
        // Shared quantile points: NF3's positives are NF4's even-numbered positives.
        #expect(abs(LookupTable.nf3.values[4] - LookupTable.nf4.values[9]) <= 1e-6)
    }

    /// |x − v| exactly, as a normalized pair (hi, lo) with hi = fl(x − v) (Knuth's TwoSum), so distances
    /// compare exactly even when x and v are far apart in magnitude.
    static func exactDistance(_ x: Float, _ v: Float) -> (Double, Double) {
        let a = Double(x), b = -Double(v)
        let s = a + b, bb = s - a
        let e = (a - (s - bb)) + (b - bb)
        return s < 0 || (s == 0 && e < 0) ? (-s, -e) : (s, e)
    }

    /// Brute-force nearest entry, ties to the lower value.
    static func nearest(_ x: Float, _ t: LookupTable) -> UInt8 {
        var best = 0
        for c in t.values.indices {
            let d = exactDistance(x, t.values[c]), bd = exactDistance(x, t.values[best])
            if d < bd || (d == bd && t.values[c] < t.values[best]) { best = c }
        }
        return UInt8(best)
    }

    @Test func encodeIsNearestWithTiesToLower() throws {
        var rng = TestSeed.make("LUT encode")
        var tables: [LookupTable] = [.nf2, .nf3, .nf4, try .normalFloat(bits: 8)]
        for b in 1...8 { tables += [try .uniform(bits: b), try .integer(bits: b)] }
        for b in [1, 3, 4, 6] {   // random user tables in random order
            var values = Set<Float>()
            while values.count < 1 << b { values.insert(Float.random(in: -3...5, using: &rng)) }
            tables.append(try LookupTable(values: Array(values).shuffled(using: &rng)))
        }
        for t in tables {
            var inputs: [Float] = [-1e30, 1e30, 0, -0.0]
            let sorted = t.values.sorted()
            for (i, v) in sorted.enumerated() {
                #expect(t.encode(v) == UInt8(t.values.firstIndex(of: v)!), "\(t.name): entry \(v) round trip")
                inputs += [v, v.nextUp, v.nextDown]
                if i + 1 < sorted.count {
                    let mid = (Double(v) + Double(sorted[i + 1])) / 2
                    let m = Float(mid)
                    inputs += [m, m.nextUp, m.nextDown]
                    if Double(m) == mid { #expect(t.encode(m) == t.encode(v), "\(t.name): tie at \(m) goes low") }
                }
            }
            for _ in 0..<200 { inputs.append(Float.random(in: -6...6, using: &rng)) }
            var failures = 0
            for x in inputs where t.encode(x) != Self.nearest(x, t) {
                failures += 1
                if failures <= 3 { Issue.record("\(t.name): encode(\(x)) = \(t.encode(x)), want \(Self.nearest(x, t))") }
            }
            #expect(failures == 0, "\(t.name)")
            for c in 0..<(1 << t.bits) { #expect(t.decode(UInt8(c)) == t.values[c]) }
        }
        // Explicit tie: uniform2 = {−1, −1/3, 1/3, 1}; 0 is halfway between −1/3 and 1/3 → lower (code 1).
        let u2 = try LookupTable.uniform(bits: 2)
        #expect(u2.encode(0) == 1 && u2.encode(0.0001) == 2)
        #expect(try LookupTable.integer(bits: 2).encode(0.5) == 2)   // {−2, −1, 0, 1}: 0.5 → 0 (code 2)
    }

    @Test func parsingUserTables() throws {
        let t = try LookupTable(parsing: "0.5, -1\n 2\t-0.25  # comment\n", name: "mine")
        #expect(t.values == [0.5, -1, 2, -0.25] && t.bits == 2 && t.name == "mine")
        #expect(t.encode(1.9) == 2 && t.encode(-0.9) == 1)   // order kept: codes index the given order
        #expect(try LookupTable(parsing: "1 2").bits == 1)
        let big = (0..<256).map { String($0) }.joined(separator: ",")
        #expect(try LookupTable(parsing: big).bits == 8)
        for bad in ["1 2 3", "", "1", "1 1", "0 -0", "1 nan", "1 inf", "1 x", (0..<512).map(String.init).joined(separator: " ")] {
            #expect(throws: LowBitError.self, "\(bad.prefix(20))") { try LookupTable(parsing: bad) }
        }
        #expect(try LookupTable.named("NF4") == .nf4)
        #expect(try LookupTable.named("uniform3").bits == 3)
        #expect(try LookupTable.named("int8").values.first == -128)
        #expect(throws: LowBitError.self) { try LookupTable.named("nf9") }
        #expect(throws: LowBitError.self) { try LookupTable.named("nf1") }
        #expect(throws: LowBitError.self) { try LookupTable.named("fancy") }
    }

    @Test func matrixQuantizeFollowsTheDefinition() throws {
        var rng = TestSeed.make("LUT matrix")
        for table in [LookupTable.nf4, .nf3, .nf2, try .uniform(bits: 5)] {
            for grouping in [ScaleGrouping.columns(32), .columns(64), .columns(128), .columns(256), .perRow] {
                let rows = Int.random(in: 1...5, using: &rng), cols = Int.random(in: 1...300, using: &rng)
                let w = rng.weights(rows * cols, scale: 0.02)
                let q = try LUTMatrix.quantize(w, rows: rows, columns: cols, table: table, grouping: grouping)
                let g = grouping.groupSize(columns: cols), groups = grouping.groupsPerRow(columns: cols)
                let deq = q.dequantize()
                for r in 0..<rows {
                    for gi in 0..<groups {
                        let range = (gi * g)..<min(cols, (gi + 1) * g)
                        let absmax = range.map { w[r * cols + $0].magnitude }.max()!
                        let s16 = absmax == 0 ? Float16(1) : Float16(absmax / table.maxMagnitude)
                        #expect(q.scales[r * groups + gi] == s16.bitPattern)
                        let s = Float(s16)
                        for c in range {
                            let i = r * cols + c
                            #expect(q.codes[i] == Self.nearest(w[i] / s, table))
                            #expect(deq[i] == s * table.values[Int(q.codes[i])])
                        }
                    }
                }
            }
        }
        var w = [Float](repeating: 1, count: 64)
        w[40] = .nan
        do {
            _ = try LUTMatrix.quantize(w, rows: 2, columns: 32, table: .nf4, grouping: .columns(32))
            Issue.record("NaN accepted")
        } catch let e as LowBitError {
            #expect(e.message.contains("row 1, column 8"))
        }
        #expect(throws: LowBitError.self) {
            try LUTMatrix(table: .nf2, rows: 1, columns: 1, grouping: .perRow, codes: [4], scales: [0x3C00])
        }
    }
}

/// Signed group scales (`LUTMatrix.quantize(signedScales:)`): a negative scale mirrors the table.
@Suite struct SignedScaleTests {
    /// Gaussian weights (Box–Muller), [rows, cols].
    static func gaussian(_ count: Int, _ rng: inout SplitMix64) -> [Float] {
        (0..<count).map { _ in
            let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
            return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
        }
    }

    @Test func signSymmetry() throws {
        #expect(!LookupTable.nf2.isSignSymmetric && !LookupTable.nf3.isSignSymmetric && !LookupTable.nf4.isSignSymmetric)
        #expect(try LookupTable.uniform(bits: 2).isSignSymmetric && LookupTable(values: [1, -0.3, 0.3, -1]).isSignSymmetric)
        #expect(try !LookupTable.integer(bits: 2).isSignSymmetric)
    }

    /// NF2 = {−1, 0, 0.338, 1} with positive absmax scales rounds Gaussian groups with a same-sign bias (mean error
    /// ≈ +0.086 σ at groups of 32); with signed scales the mean error vanishes, every group's squared error is at
    /// most the positive scale's, each code is the nearest for its (possibly negative) fp16 scale, and the values
    /// are exactly s × table[code].
    @Test(arguments: [32, 128])
    func signedScalesCancelTheNF2RoundingBias(_ group: Int) throws {
        var rng = TestSeed.make("signedScalesCancelTheNF2RoundingBias \(group)")
        let rows = 250, cols = 512
        let w = Self.gaussian(rows * cols, &rng)
        let t = LookupTable.nf2
        let plain = try LUTMatrix.quantize(w, rows: rows, columns: cols, table: t, grouping: .columns(group))
        let signed = try LUTMatrix.quantize(w, rows: rows, columns: cols, table: t, grouping: .columns(group), signedScales: true)
        let vp = plain.dequantize(), vs = signed.dequantize()
        func stats(_ v: [Float]) -> (mean: Double, rms: Double) {
            var s = 0.0, q = 0.0
            for i in w.indices { let e = Double(v[i]) - Double(w[i]); s += e; q += e * e }
            return (s / Double(w.count), (q / Double(w.count)).squareRoot())
        }
        let (mp, rp) = stats(vp), (ms, rs) = stats(vs)
        print("nf2 group \(group): positive scales mean error \(mp) σ, rms \(rp) σ; signed mean \(ms) σ, rms \(rs) σ")
        #expect(mp > 0.06, "the positive-scale bias this fixes: \(mp)")
        #expect(abs(ms) < 0.01, "signed scales: mean error \(ms)")
        #expect(rs < rp)
        let groups = cols / group
        let negative = signed.scales.filter { Float16(bitPattern: $0) < 0 }.count
        #expect(Double(negative) > 0.4 * Double(rows * groups) && Double(negative) < 0.6 * Double(rows * groups))
        for r in 0..<rows {
            for g in 0..<groups {
                let sp = Float(Float16(bitPattern: plain.scales[r * groups + g]))
                let ss = Float(Float16(bitPattern: signed.scales[r * groups + g]))
                #expect(ss == sp || ss == -sp)
                var ep = 0.0, es = 0.0
                for c in (g * group)..<((g + 1) * group) {
                    let i = r * cols + c
                    #expect(signed.codes[i] == t.encode(w[i] / ss))
                    #expect(vs[i] == ss * t.values[Int(signed.codes[i])])
                    ep += (Double(vp[i]) - Double(w[i])) * (Double(vp[i]) - Double(w[i]))
                    es += (Double(vs[i]) - Double(w[i])) * (Double(vs[i]) - Double(w[i]))
                }
                #expect(es <= ep, "row \(r) group \(g)")
                if ss < 0 { #expect(es < ep, "row \(r) group \(g): −s taken without lowering the error") }
            }
        }
    }

    /// A sign-symmetric table gains nothing from −s: signed scales change no code and no scale.
    @Test func symmetricTablesAreUnchanged() throws {
        var rng = TestSeed.make("symmetricTablesAreUnchanged")
        let w = Self.gaussian(40 * 96, &rng)
        let t = try LookupTable.uniform(bits: 2)
        let a = try LUTMatrix.quantize(w, rows: 40, columns: 96, table: t, grouping: .columns(32))
        let b = try LUTMatrix.quantize(w, rows: 40, columns: 96, table: t, grouping: .columns(32), signedScales: true)
        #expect(a.codes == b.codes && a.scales == b.scales)
    }
}
