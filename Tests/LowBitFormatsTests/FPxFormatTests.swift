import Foundation
import Testing
@testable import LowBitFormats
import LowBitCore

@Suite struct FPxFormatTests {
    /// Independent decoding straight from the definition, in Float64 with `pow`.
    static func reference(_ code: Int, e E: Int, m M: Int) -> Double {
        let bias = Double((1 << (E - 1)) - 1)
        let sign = (code >> (E + M)) & 1 == 1 ? -1.0 : 1.0
        let e = (code >> M) & ((1 << E) - 1)
        let m = Double(code & ((1 << M) - 1))
        let scale = pow(2.0, Double(M))
        let magnitude = e == 0 ? pow(2.0, 1 - bias) * (m / scale) : pow(2.0, Double(e) - bias) * (1 + m / scale)
        return sign * magnitude
    }

    /// Brute force over the whole decoded table: the nearest value with x's sign after saturating |x| to max;
    /// ties go to the even code.
    static func bruteForceEncode(_ x: Float, _ table: [Double]) -> Int {
        let half = table.count / 2
        let maximum = table[half - 1]
        let a = min(Double(x.magnitude), maximum)
        var best = 0
        var bestDistance = Double.infinity
        for c in 0..<half {
            let d = abs(a - table[c])
            if d < bestDistance || (d == bestDistance && c & 1 == 0) {
                best = c
                bestDistance = d
            }
        }
        return x.sign == .minus ? best + half : best
    }

    @Test func everyCodeDecodesToTheDefinition() throws {
        for (e, m) in allFPxShapes {
            let f = try FPxFormat(exponentBits: e, mantissaBits: m)
            #expect(f.decodeTable.count == 1 << (1 + e + m))
            #expect(f.bitWidth == 1 + e + m)
            for code in 0..<f.decodeTable.count {
                let v = f.decode(UInt8(code))
                #expect(Double(v) == Self.reference(code, e: e, m: m), "\(f.name) code \(code)")
                // Sign bit: both zeros exist, −0 has the sign bit.
                #expect((v.sign == .minus) == (code >= f.decodeTable.count / 2), "\(f.name) code \(code) sign")
            }
            let bias = Double((1 << (e - 1)) - 1)
            #expect(Double(f.maxValue) == pow(2, pow(2, Double(e)) - 1 - bias) * (2 - pow(2, -Double(m))))
            #expect(Double(f.minNormal) == pow(2, 1 - bias))
            #expect(Double(f.minSubnormal) == pow(2, 1 - bias - Double(m)))
            #expect(f.maxValue == f.decodeTable.max())
            #expect(f.minSubnormal == f.decodeTable.filter { $0 > 0 }.min())
        }
    }

    /// The table of tc-fpx.md §1.
    @Test func publishedConstants() throws {
        let rows: [(String, Float, Float, Float, UInt8)] = [
            ("e3m2", 28, 0.25, 0.0625, 0b0_011_00), ("e2m3", 7.5, 1, 0.125, 0b0_01_000),
            ("e2m2", 7, 1, 0.25, 0b0_01_00), ("e3m1", 24, 0.25, 0.125, 0b0_011_0),
        ]
        for (name, maxValue, minNormal, minSub, one) in rows {
            let f = try FPxFormat(parsing: name)
            #expect(f.maxValue == maxValue && f.minNormal == minNormal && f.minSubnormal == minSub, "\(name)")
            #expect(f.encode(1) == one && f.decode(one) == 1, "\(name)")
        }
        #expect(Array(try FPxFormat(parsing: "e2m1").decodeTable.prefix(8)) == [0, 0.5, 1, 1.5, 2, 3, 4, 6])
    }

    @Test func encodeMatchesBruteForceEverywhere() throws {
        var rng = TestSeed.make("FPx encode")
        for (e, m) in allFPxShapes {
            let f = try FPxFormat(exponentBits: e, mantissaBits: m)
            let table = (0..<f.decodeTable.count).map { Self.reference($0, e: e, m: m) }
            let half = table.count / 2
            var inputs: [Float] = [0, f.maxValue, f.maxValue.nextUp, 2 * f.maxValue, 1e30, .infinity,
                                   .greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude,
                                   f.minSubnormal / 2, (f.minSubnormal / 2).nextUp, (f.minSubnormal / 2).nextDown]
            for c in 0..<half {
                inputs.append(Float(table[c]))
                if c + 1 < half {
                    let mid = (table[c] + table[c + 1]) / 2
                    let midFloat = Float(mid)
                    #expect(Double(midFloat) == mid, "midpoint must be exact in Float32")
                    inputs += [midFloat, midFloat.nextUp, midFloat.nextDown]
                }
            }
            let lo = log2(Double(f.minSubnormal)) - 3, hi = log2(Double(f.maxValue)) + 2
            for _ in 0..<300 {
                // Log-uniform over the format's range and a bit beyond.
                inputs.append(Float(pow(2, Double.random(in: lo...hi, using: &rng))))
            }
            var failures = 0
            for x in inputs + inputs.map({ -$0 }) {
                let got = Int(f.encode(x)), want = Self.bruteForceEncode(x, table)
                if got != want {
                    failures += 1
                    if failures <= 5 { Issue.record("\(f.name) encode(\(x)) = \(got), want \(want)") }
                }
            }
            #expect(failures == 0, "\(f.name): \(failures) of \(2 * inputs.count) inputs")
            // Round trip of every code, ±0 included.
            for code in 0..<table.count {
                #expect(Int(f.encode(f.decode(UInt8(code)))) == code, "\(f.name) round trip \(code)")
            }
            #expect(f.encode(.nan) == 0)
            #expect(Int(f.encode(-.infinity)) == table.count - 1)
            #expect(Int(f.encode(-0.0)) == half)
        }
    }

    /// Ties go to the even code, including M = 0 where neighbours differ in the exponent field.
    @Test func tiesGoToEvenCode() throws {
        let e3m2 = try FPxFormat(parsing: "fp6")
        #expect(e3m2.decode(e3m2.encode(1.125)) == 1)      // 1 and 1.25: 1 is 0b001100 (even)
        #expect(e3m2.decode(e3m2.encode(1.375)) == 1.5)    // 1.25 and 1.5: 1.5 is even
        #expect(e3m2.decode(e3m2.encode(26)) == 24)        // 24 and 28: 24 even
        #expect(e3m2.decode(e3m2.encode(0.03125)) == 0)    // 0 and min subnormal 0.0625
        #expect(e3m2.encode(-0.03125) == 0b100000)         // −0 keeps the sign
        #expect(e3m2.encode(0.09375) == 0b000010)          // 0.0625 and 0.125: 0.125 is even
        let e2m0 = try FPxFormat(parsing: "fpe2m0")        // 0, 1, 2, 4
        #expect(e2m0.decode(e2m0.encode(3)) == 2)          // code 2 even, code 3 (= 4) odd
        #expect(e2m0.decode(e2m0.encode(1.5)) == 2)
        #expect(e2m0.decode(e2m0.encode(0.5)) == 0)
    }

    @Test func parsing() throws {
        #expect(try FPxFormat(parsing: "fp6") == FPxFormat(exponentBits: 3, mantissaBits: 2))
        #expect(try FPxFormat(parsing: "FP5") == FPxFormat(exponentBits: 2, mantissaBits: 2))
        #expect(try FPxFormat(parsing: "fp4") == FPxFormat(exponentBits: 2, mantissaBits: 1))
        #expect(try FPxFormat(parsing: "fpe2m3") == FPxFormat(exponentBits: 2, mantissaBits: 3))
        #expect(try FPxFormat(parsing: "e1m1").bitWidth == 3)
        #expect(try FPxFormat(parsing: "fpe7m0").maxValue == 0x1p64)
        for bad in ["fp7", "fp", "e0m3", "fpe4m4", "fpe3", "e3m", "bogus", "fpe-1m2", "fpe2m-1"] {
            #expect(throws: LowBitError.self, "\(bad)") { try FPxFormat(parsing: bad) }
        }
        #expect(throws: LowBitError.self) { try FPxFormat(exponentBits: 0, mantissaBits: 2) }
        #expect(throws: LowBitError.self) { try FPxFormat(exponentBits: 3, mantissaBits: 5) }
        #expect(try FPxFormat(parsing: "fp6").description == "FP6 e3m2")
    }
}
