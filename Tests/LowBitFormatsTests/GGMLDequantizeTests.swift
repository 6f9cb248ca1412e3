import LowBitFormats
import Testing
import LowBitCore

/// Each GGML block type: blocks packed in the test from logical values (scales, mins, codes) following the
/// layout in ggml-common.h, decoded by GGMLType.dequantizeRow, compared with the formula evaluated in Double
/// (where ggml's float evaluation has exactly one rounding, so the results must agree bit for bit).
@Suite struct GGMLDequantizeTests {
    typealias RNG = SplitMix64

    static func h(_ bits: UInt16) -> Double { Double(Float16(bitPattern: bits)) }

    static func putU16(_ bytes: inout [UInt8], _ at: Int, _ v: UInt16) {
        bytes[at] = UInt8(v & 0xFF)
        bytes[at + 1] = UInt8(v >> 8)
    }

    static func check(_ type: GGMLType, _ bytes: [UInt8], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(bytes.count % type.blockBytes == 0, sourceLocation: sourceLocation)
        let got = type.dequantize(bytes)
        #expect(got.count == expected.count, sourceLocation: sourceLocation)
        var mismatches = 0
        for i in 0..<min(got.count, expected.count) where got[i] != Float(expected[i]) {
            if mismatches < 5 { Issue.record("\(type.name) element \(i): got \(got[i]), expected \(Float(expected[i]))", sourceLocation: sourceLocation) }
            mismatches += 1
        }
        #expect(mismatches == 0, "\(type.name): \(mismatches) mismatches", sourceLocation: sourceLocation)
    }

    static let iq4nlTable: [Double] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]
    static let blocks = 3

    @Test func typeTable() {
        // Sizes of the ggml-common.h structs and ids of ggml.h.
        let sizes: [GGMLType: (Int, Int, UInt32)] = [
            .f32: (1, 4, 0), .f16: (1, 2, 1), .q4_0: (32, 18, 2), .q4_1: (32, 20, 3), .q5_0: (32, 22, 6),
            .q5_1: (32, 24, 7), .q8_0: (32, 34, 8), .q8_1: (32, 36, 9), .q2_K: (256, 84, 10), .q3_K: (256, 110, 11),
            .q4_K: (256, 144, 12), .q5_K: (256, 176, 13), .q6_K: (256, 210, 14), .q8_K: (256, 292, 15),
            .iq2_xxs: (256, 66, 16), .iq2_xs: (256, 74, 17), .iq3_xxs: (256, 98, 18), .iq1_s: (256, 50, 19),
            .iq4_nl: (32, 18, 20), .iq3_s: (256, 110, 21), .iq2_s: (256, 82, 22), .iq4_xs: (256, 136, 23),
            .i8: (1, 1, 24), .i16: (1, 2, 25), .i32: (1, 4, 26), .i64: (1, 8, 27), .f64: (1, 8, 28),
            .iq1_m: (256, 56, 29), .bf16: (1, 2, 30), .tq1_0: (256, 54, 34), .tq2_0: (256, 66, 35), .mxfp4: (32, 17, 39),
        ]
        #expect(sizes.count == GGMLType.allCases.count)
        for (type, (blockSize, blockBytes, id)) in sizes {
            #expect(type.blockSize == blockSize, "\(type.name)")
            #expect(type.blockBytes == blockBytes, "\(type.name)")
            #expect(type.rawValue == id, "\(type.name)")
            #expect(GGMLType(name: type.name.uppercased()) == type)
        }
        for removed: UInt32 in [4, 5, 31, 32, 33, 36, 37, 38, 40, 41, 1000] { #expect(GGMLType(rawValue: removed) == nil) }
        #expect(GGMLType.q4_1.byteCount(elements: 576) == 360)
        #expect(GGMLType.q4_1.byteCount(elements: 577) == nil)
    }

    @Test func plainFloatsAndInts() {
        var rng = RNG(seed: 1)
        var f32: [UInt8] = [], f16: [UInt8] = [], bf16: [UInt8] = [], f64: [UInt8] = []
        var e32: [Double] = [], e16: [Double] = [], eb16: [Double] = [], e64: [Double] = []
        for _ in 0..<100 {
            let v = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0xBFFF_FFFF)  // finite
            withUnsafeBytes(of: v.bitPattern.littleEndian) { f32 += $0 }
            e32.append(Double(v))
            let hb = UInt16(truncatingIfNeeded: rng.next()) & 0xBBFF
            withUnsafeBytes(of: hb.littleEndian) { f16 += $0 }
            e16.append(Double(Float16(bitPattern: hb)))
            let bb = UInt16(truncatingIfNeeded: rng.next()) & 0xBFFF
            withUnsafeBytes(of: bb.littleEndian) { bf16 += $0 }
            eb16.append(Double(Float(bitPattern: UInt32(bb) << 16)))
            let dv = Double(Int(rng.int(0...1_000_000)) - 500_000) / 1024
            withUnsafeBytes(of: dv.bitPattern.littleEndian) { f64 += $0 }
            e64.append(dv)
        }
        Self.check(.f32, f32, e32)
        Self.check(.f16, f16, e16)
        Self.check(.bf16, bf16, eb16)
        Self.check(.f64, f64, e64)
        Self.check(.i8, [0, 1, 127, 128, 255], [0, 1, 127, -128, -1])
        Self.check(.i16, [0x34, 0x12, 0xFF, 0xFF], [0x1234, -1])
        Self.check(.i32, [1, 0, 0, 0x80], [-2_147_483_647])
        Self.check(.i64, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [-2])
    }

    @Test func q4_0AndQ4_1() {
        var rng = RNG(seed: 2)
        var b0: [UInt8] = [], b1: [UInt8] = []
        var e0: [Double] = [], e1: [Double] = []
        for _ in 0..<Self.blocks {
            let q = (0..<32).map { _ in rng.int(0...15) }
            let d = rng.half(), m = rng.half()
            var block0 = [UInt8](repeating: 0, count: 18), block1 = [UInt8](repeating: 0, count: 20)
            Self.putU16(&block0, 0, d)
            Self.putU16(&block1, 0, d)
            Self.putU16(&block1, 2, m)
            for j in 0..<16 {
                block0[2 + j] = UInt8(q[j] | q[j + 16] << 4)
                block1[4 + j] = UInt8(q[j] | q[j + 16] << 4)
            }
            b0 += block0
            b1 += block1
            e0 += q.map { Double($0 - 8) * Self.h(d) }
            e1 += q.map { Double($0) * Self.h(d) + Self.h(m) }
        }
        Self.check(.q4_0, b0, e0)
        Self.check(.q4_1, b1, e1)
    }

    @Test func q5_0AndQ5_1() {
        var rng = RNG(seed: 3)
        var b0: [UInt8] = [], b1: [UInt8] = []
        var e0: [Double] = [], e1: [Double] = []
        for _ in 0..<Self.blocks {
            let q = (0..<32).map { _ in rng.int(0...31) }
            let d = rng.half(), m = rng.half()
            var qh: UInt32 = 0
            for i in 0..<32 where q[i] & 16 != 0 { qh |= 1 << UInt32(i) }
            var block0 = [UInt8](repeating: 0, count: 22), block1 = [UInt8](repeating: 0, count: 24)
            Self.putU16(&block0, 0, d)
            Self.putU16(&block1, 0, d)
            Self.putU16(&block1, 2, m)
            for k in 0..<4 {
                block0[2 + k] = UInt8((qh >> UInt32(8 * k)) & 0xFF)
                block1[4 + k] = UInt8((qh >> UInt32(8 * k)) & 0xFF)
            }
            for j in 0..<16 {
                block0[6 + j] = UInt8((q[j] & 15) | (q[j + 16] & 15) << 4)
                block1[8 + j] = UInt8((q[j] & 15) | (q[j + 16] & 15) << 4)
            }
            b0 += block0
            b1 += block1
            e0 += q.map { Double($0 - 16) * Self.h(d) }
            e1 += q.map { Double($0) * Self.h(d) + Self.h(m) }
        }
        Self.check(.q5_0, b0, e0)
        Self.check(.q5_1, b1, e1)
    }

    @Test func q8_0Q8_1AndQ8_K() {
        var rng = RNG(seed: 4)
        var b0: [UInt8] = [], b1: [UInt8] = [], bk: [UInt8] = []
        var e0: [Double] = [], e1: [Double] = [], ek: [Double] = []
        for _ in 0..<Self.blocks {
            let q = (0..<32).map { _ in rng.int(-128...127) }
            let d = rng.half(), s = rng.half()
            b0 += withUnsafeBytes(of: d.littleEndian, Array.init) + q.map { UInt8(bitPattern: Int8($0)) }
            b1 += withUnsafeBytes(of: d.littleEndian, Array.init) + withUnsafeBytes(of: s.littleEndian, Array.init)
                + q.map { UInt8(bitPattern: Int8($0)) }
            e0 += q.map { Double($0) * Self.h(d) }
            e1 += q.map { Double($0) * Self.h(d) }
            let qk = (0..<256).map { _ in rng.int(-127...127) }
            let dk = Float(rng.int(1...1000)) / 3
            bk += withUnsafeBytes(of: dk.bitPattern.littleEndian, Array.init) + qk.map { UInt8(bitPattern: Int8($0)) }
                + [UInt8](repeating: 0xAA, count: 32)  // bsums: ignored by decoding
            ek += qk.map { Double(Float(Double(dk) * Double($0))) }
        }
        Self.check(.q8_0, b0, e0)
        Self.check(.q8_1, b1, e1)
        Self.check(.q8_K, bk, ek)
    }

    @Test func q2_K() {
        var rng = RNG(seed: 5)
        var bytes: [UInt8] = [], expected: [Double] = []
        for _ in 0..<Self.blocks {
            var block = [UInt8](repeating: 0, count: 84)
            let d = rng.half(), dmin = rng.half()
            let sc = (0..<16).map { _ in rng.int(0...15) }, mn = (0..<16).map { _ in rng.int(0...15) }
            for s in 0..<16 { block[s] = UInt8(sc[s] | mn[s] << 4) }
            Self.putU16(&block, 80, d)
            Self.putU16(&block, 82, dmin)
            for e in 0..<256 {
                let q = rng.int(0...3)
                let h = e / 128, r = e % 128, j = r / 32, part = (r % 32) / 16, l = r % 16
                block[16 + 32 * h + 16 * part + l] |= UInt8(q << (2 * j))
                let s = e / 16
                expected.append(Self.h(d) * Double(sc[s]) * Double(q) - Self.h(dmin) * Double(mn[s]))
            }
            bytes += block
        }
        Self.check(.q2_K, bytes, expected)
    }

    @Test func q3_K() {
        var rng = RNG(seed: 6)
        var bytes: [UInt8] = [], expected: [Double] = []
        for _ in 0..<Self.blocks {
            var block = [UInt8](repeating: 0, count: 110)
            let d = rng.half()
            let scales = (0..<16).map { _ in rng.int(0...63) }
            for i in 0..<16 {
                let s = scales[i]
                if i < 8 { block[96 + i] |= UInt8(s & 15) } else { block[96 + i - 8] |= UInt8((s & 15) << 4) }
                block[96 + 8 + i % 4] |= UInt8((s >> 4) << (2 * (i / 4)))
            }
            Self.putU16(&block, 108, d)
            for e in 0..<256 {
                let q = rng.int(-4...3)  // 3-bit signed: low 2 bits in qs, high bit set ⇔ q ≥ 0
                let h = e / 128, r = e % 128, j = r / 32, part = (r % 32) / 16, l = r % 16
                block[32 + 32 * h + 16 * part + l] |= UInt8((q & 3) << (2 * j))
                if q >= 0 { block[16 * part + l] |= UInt8(1 << (4 * h + j)) }
                expected.append(Self.h(d) * Double(scales[e / 16] - 32) * Double(q))
            }
            bytes += block
        }
        Self.check(.q3_K, bytes, expected)
    }

    /// Packs eight 6-bit scales and mins the way quantize_row_q4_K_ref does.
    static func packScaleMin(_ sc: [Int], _ mn: [Int], into block: inout [UInt8], at base: Int) {
        for j in 0..<8 {
            if j < 4 {
                block[base + j] = UInt8(sc[j])
                block[base + j + 4] = UInt8(mn[j])
            } else {
                block[base + j + 4] = UInt8((sc[j] & 15) | (mn[j] & 15) << 4)
                block[base + j - 4] |= UInt8((sc[j] >> 4) << 6)
                block[base + j] |= UInt8((mn[j] >> 4) << 6)
            }
        }
    }

    @Test(arguments: [false, true]) func q4_KAndQ5_K(fiveBit: Bool) {
        var rng = RNG(seed: fiveBit ? 8 : 7)
        let type: GGMLType = fiveBit ? .q5_K : .q4_K
        var bytes: [UInt8] = [], expected: [Double] = []
        for _ in 0..<Self.blocks {
            var block = [UInt8](repeating: 0, count: type.blockBytes)
            let d = rng.half(signed: false), dmin = rng.half(signed: false)
            Self.putU16(&block, 0, d)
            Self.putU16(&block, 2, dmin)
            let sc = (0..<8).map { _ in rng.int(0...63) }, mn = (0..<8).map { _ in rng.int(0...63) }
            Self.packScaleMin(sc, mn, into: &block, at: 4)
            let qsBase = fiveBit ? 48 : 16
            for e in 0..<256 {
                let q = rng.int(0...(fiveBit ? 31 : 15))
                let p = e / 64, r = e % 64
                if r < 32 { block[qsBase + 32 * p + r] |= UInt8(q & 15) } else { block[qsBase + 32 * p + r - 32] |= UInt8((q & 15) << 4) }
                if fiveBit && q >= 16 { block[16 + r % 32] |= UInt8(1 << (2 * p + (r < 32 ? 0 : 1))) }
                let s = e / 32
                expected.append(Self.h(d) * Double(sc[s]) * Double(q) - Self.h(dmin) * Double(mn[s]))
            }
            bytes += block
        }
        Self.check(type, bytes, expected)
    }

    @Test func q6_K() {
        var rng = RNG(seed: 9)
        var bytes: [UInt8] = [], expected: [Double] = []
        for _ in 0..<Self.blocks {
            var block = [UInt8](repeating: 0, count: 210)
            let d = rng.half()
            let scales = (0..<16).map { _ in rng.int(-128...127) }
            for s in 0..<16 { block[192 + s] = UInt8(bitPattern: Int8(scales[s])) }
            Self.putU16(&block, 208, d)
            for e in 0..<256 {
                let q = rng.int(0...63)  // stored unsigned, value q − 32
                let n = e / 128, r = e % 128, quarter = r / 32, l = r % 32
                let qlIndex = 64 * n + l + (quarter & 1) * 32
                block[qlIndex] |= UInt8(quarter < 2 ? (q & 15) : (q & 15) << 4)
                block[128 + 32 * n + l] |= UInt8((q >> 4) << (2 * quarter))
                expected.append(Self.h(d) * Double(scales[e / 16]) * Double(q - 32))
            }
            bytes += block
        }
        Self.check(.q6_K, bytes, expected)
    }

    @Test func iq4_nlAndIq4_xs() {
        var rng = RNG(seed: 10)
        var bn: [UInt8] = [], en: [Double] = []
        for _ in 0..<Self.blocks {
            let d = rng.half()
            let q = (0..<32).map { _ in rng.int(0...15) }
            bn += withUnsafeBytes(of: d.littleEndian, Array.init) + (0..<16).map { UInt8(q[$0] | q[$0 + 16] << 4) }
            en += q.map { Self.h(d) * Self.iq4nlTable[$0] }
        }
        Self.check(.iq4_nl, bn, en)

        var bx: [UInt8] = [], ex: [Double] = []
        for _ in 0..<Self.blocks {
            var block = [UInt8](repeating: 0, count: 136)
            let d = rng.half()
            Self.putU16(&block, 0, d)
            let ls = (0..<8).map { _ in rng.int(0...63) }
            var scalesH: UInt16 = 0
            for ib in 0..<8 {
                block[4 + ib / 2] |= UInt8((ls[ib] & 15) << (4 * (ib % 2)))
                scalesH |= UInt16(ls[ib] >> 4) << UInt16(2 * ib)
            }
            Self.putU16(&block, 2, scalesH)
            for e in 0..<256 {
                let q = rng.int(0...15)
                let ib = e / 32, r = e % 32
                block[8 + 16 * ib + r % 16] |= UInt8(r < 16 ? q : q << 4)
                ex.append(Self.h(d) * Double(ls[ib] - 32) * Self.iq4nlTable[q])
            }
            bx += block
        }
        Self.check(.iq4_xs, bx, ex)
    }

    @Test func mxfp4() {
        var rng = RNG(seed: 11)
        // E2M1: sign bit 3, exponent bits 2..1 (bias 1), mantissa bit 0.
        func e2m1(_ code: Int) -> Double {
            let sign: Double = code & 8 != 0 ? -1 : 1
            let exponent = (code >> 1) & 3, mantissa = Double(code & 1)
            return sign * (exponent == 0 ? mantissa * 0.5 : (1 + mantissa / 2) * Double(1 << (exponent - 1)))
        }
        var bytes: [UInt8] = [], expected: [Double] = []
        for e in [UInt8(0), 1, 2, 100, 127, 128, 140, 254] {
            let q = (0..<32).map { _ in rng.int(0...15) }
            bytes += [e] + (0..<16).map { UInt8(q[$0] | q[$0 + 16] << 4) }
            let scale = Double(sign: .plus, exponent: Int(e) - 127, significand: 1)
            expected += q.map { e2m1($0) * scale }
        }
        Self.check(.mxfp4, bytes, expected)
    }

    @Test func tq2_0() {
        var rng = RNG(seed: 12)
        var bytes: [UInt8] = [], expected: [Double] = []
        for _ in 0..<Self.blocks {
            var block = [UInt8](repeating: 0, count: 66)
            let d = rng.half()
            Self.putU16(&block, 64, d)
            for e in 0..<256 {
                let q = rng.int(0...2)
                block[32 * (e / 128) + e % 32] |= UInt8(q << (2 * ((e % 128) / 32)))
                expected.append(Double(q - 1) * Self.h(d))
            }
            bytes += block
        }
        Self.check(.tq2_0, bytes, expected)
    }

    /// Unaligned sources (GGUF tensors are only 32-byte aligned and q4_1 blocks are 20 bytes) decode the same.
    @Test func unalignedSource() {
        var rng = RNG(seed: 13)
        let bytes = (0..<(20 * 4)).map { _ in UInt8(truncatingIfNeeded: rng.next()) & 0xBB }
        let reference = GGMLType.q4_1.dequantize(bytes)
        let shifted = [UInt8(0)] + bytes
        var out = [Float](repeating: .nan, count: 128)
        shifted.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { GGMLType.q4_1.dequantizeRow(raw.baseAddress! + 1, count: 128, into: $0.baseAddress!) }
        }
        #expect(out.elementsEqual(reference) { $0.bitPattern == $1.bitPattern })
    }
}

extension SplitMix64 {
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
    /// A random finite fp16 scale of moderate size, positive or (if allowed) negative.
    mutating func half(signed: Bool = true) -> UInt16 {
        let v = Float16(Float(int(1...2000)) / 8192 * (signed && next() & 1 == 1 ? -1 : 1))
        return v.bitPattern
    }
}
