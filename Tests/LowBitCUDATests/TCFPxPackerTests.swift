import Testing
import LowBitCore
@testable import LowBitCUDA
import LowBitFormats

/// SplitMix64: deterministic random codes without Foundation.
typealias TCFPxTestRNG = SplitMix64

let tcfpxTestFormats: [(Int, Int)] = [(3, 2), (2, 3), (2, 2), (3, 1), (2, 1), (1, 1), (4, 2), (1, 3)]
let tcfpxTestShapes: [(Int, Int)] = [(1, 1), (17, 131), (576, 192), (33, 300), (16, 128), (5, 257)]

func randomCodes(count: Int, width: Int, seed: UInt64) -> [UInt8] {
    var rng = TCFPxTestRNG(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next() & ((1 << UInt64(width)) - 1)) }
}

@Suite struct TCFPxPackerTests {
    @Test(arguments: tcfpxTestFormats)
    func packUnpackIdentity(e: Int, m: Int) throws {
        let format = try TCFPxFormat(exponentBits: e, mantissaBits: m)
        for (i, (oc, ic)) in tcfpxTestShapes.enumerated() {
            let geometry = try TCFPxGeometry(format: format, outFeatures: oc, inFeatures: ic)
            let codes = randomCodes(count: oc * ic, width: format.width, seed: UInt64(i * 100 + e * 10 + m))
            let packed = try TCFPxPacker.pack(codes: codes, geometry: geometry)
            #expect(packed.count == geometry.packedByteCount)
            #expect(packed.count == geometry.rowTiles * geometry.columnTiles * 2048 * format.width / 8)
            let back = try TCFPxPacker.unpack(packed: packed, geometry: geometry)
            #expect(back == codes, "\(format) \(oc)×\(ic)")
        }
    }

    /// Reads every code straight from the packed bytes with a closed-form address written independently of the
    /// packer's gather table (scatter direction: row, column → lane, group, byte → byte address and bit).
    @Test(arguments: tcfpxTestFormats)
    func closedFormAddresses(e: Int, m: Int) throws {
        let format = try TCFPxFormat(exponentBits: e, mantissaBits: m)
        let w = format.width
        let (oc, ic) = (211, 389)   // 14 row tiles: one full 8-tile block and a partial one
        let geometry = try TCFPxGeometry(format: format, outFeatures: oc, inFeatures: ic)
        let codes = randomCodes(count: oc * ic, width: w, seed: 77)
        let packed = try TCFPxPacker.pack(codes: codes, geometry: geometry)
        let kTiles = (ic + 127) / 128
        // Segments written out from the layout rules (docs/tcfpx.md), independently of TCFPxGeometry.segments:
        // (bits, code shift, array offset, bytes per lane, offset in the lane's bytes).
        var segs: [(Int, Int, Int, Int, Int)] = []
        if m <= 2 {
            let l = e + m
            let ones = 1 + (l & 1)
            let off2 = l & 4 != 0 ? 1024 : 0, off1 = off2 + (l & 2 != 0 ? 512 : 0)
            segs.append((1, l, off1, 8 * ones, 0))
            if l & 1 != 0 { segs.append((1, l - 1, off1, 16, 8)) }
            if l & 2 != 0 { segs.append((2, (l & 4 != 0) ? 4 : 0, off2, 16, 0)) }
            if l & 4 != 0 { segs.append((4, 0, 0, 16, 0)) }
        } else {
            let off2 = w & 4 != 0 ? 1024 : 0, off1 = off2 + (w & 2 != 0 ? 512 : 0)
            if w & 1 != 0 { segs.append((1, w - 1, off1, 8, 0)) }
            if w & 2 != 0 { segs.append((2, (w & 4 != 0) ? 4 : 0, off2, 16, 0)) }
            if w & 4 != 0 { segs.append((4, 0, 0, 16, 0)) }
        }
        for row in 0..<oc {
            for col in 0..<ic {
                let (mt, ro) = (row / 16, row % 16)
                let (kt, ko) = (col / 128, col % 128)
                // Inverse of the fragment mapping (docs/tcfpx.md).
                let g = ro & 7, rowHalf = ro >> 3
                let p = ko >> 5, t = (ko >> 3) & 3, q = (ko >> 2) & 1, h = (ko >> 1) & 1, half = ko & 1
                let lane = 4 * g + t
                let group = 2 * (2 * p + q) + h
                let byte = 2 * half + (1 - rowHalf)
                let mTiles = (oc + 15) / 16
                let rb = min(8, mTiles - (mt / 8) * 8)
                let unit = ((mt / 8) * 8 * kTiles + kt * rb + mt % 8) * 256 * w
                var code = 0
                for (bits, shift, offset, stride, laneOffset) in segs {
                    let field: Int
                    switch bits {
                    case 1:
                        let b = Int(packed[unit + offset + lane * stride + laneOffset + (group / 8) * 4 + byte])
                        field = (b >> (7 - group % 8)) & 1
                    case 2:
                        let b = Int(packed[unit + offset + lane * 16 + (group / 4) * 4 + byte])
                        field = (b >> (6 - 2 * (group % 4))) & 3
                    default:
                        let i = group / 2
                        let b = Int(packed[unit + offset + (i / 4) * 512 + lane * 16 + (i % 4) * 4 + byte])
                        field = group % 2 == 0 ? b >> 4 : b & 15
                    }
                    code |= field << shift
                }
                if code != Int(codes[row * ic + col]) {
                    Issue.record("\(format) (\(row), \(col)): packed \(code), source \(codes[row * ic + col])")
                    return
                }
            }
        }
    }

    /// Padding is +0 and the gather table is a bijection onto the unit.
    @Test func gatherTableIsBijection() {
        var seen = Set<Int32>()
        for v in TCFPxPacker.gather { seen.insert(v) }
        #expect(seen.count == 2048)
        #expect(seen.min() == 0 && seen.max() == 2047)
    }

    @Test func rejectsBadInput() throws {
        let format = try TCFPxFormat(name: "fp5")
        let geometry = try TCFPxGeometry(format: format, outFeatures: 3, inFeatures: 5)
        #expect(throws: LowBitError.self) { try TCFPxPacker.pack(codes: [UInt8](repeating: 0, count: 14), geometry: geometry) }
        #expect(throws: LowBitError.self) { try TCFPxPacker.pack(codes: [UInt8](repeating: 32, count: 15), geometry: geometry) }
        #expect(throws: LowBitError.self) { try TCFPxPacker.unpack(packed: [UInt8](repeating: 0, count: 10), geometry: geometry) }
        #expect(throws: LowBitError.self) { try TCFPxFormat(exponentBits: 5, mantissaBits: 2) }
        #expect(throws: LowBitError.self) { try TCFPxFormat(name: "fpx9") }
        #expect(throws: LowBitError.self) { try TCFPxGeometry(format: format, outFeatures: 0, inFeatures: 5) }
        #expect(try TCFPxFormat(name: "fpe2m3") == TCFPxFormat(exponentBits: 2, mantissaBits: 3))
        #expect(try TCFPxFormat(name: "fp6").description == "e3m2")
    }
}

/// Runs the kernel's dequantization (tcfpx_gemm.cu: assemble + cast4) on the CPU over packed weights and checks
/// every value against the format's definition: the exactness argument of the bit trick, for every format.
@Suite struct TCFPxBitTrickTests {
    /// Byte bit of the MSB of a segment after assembly (the kernel's TCFPX_POS*).
    static func bytePosition(_ segment: TCFPxGeometry.Segment, format: TCFPxFormat, spaced: Bool) -> Int {
        let top = segment.codeShift + segment.bits - 1
        if spaced {
            let l = format.exponentBits + format.mantissaBits
            return top == l ? 7 : (2 - format.mantissaBits) + top
        }
        return 8 - format.width + top
    }

    @Test(arguments: tcfpxTestFormats)
    func kernelDequantIsExact(e: Int, m: Int) throws {
        let format = try TCFPxFormat(exponentBits: e, mantissaBits: m)
        let w = format.width
        let geometry = try TCFPxGeometry(format: format, outFeatures: 16, inFeatures: 128)
        let spaced = geometry.isSpaced
        #expect(spaced == (m <= 2))
        // Every code appears: 2048 values cycle through all 2^w codes.
        var codes = [UInt8](repeating: 0, count: 2048)
        for i in 0..<2048 { codes[i] = UInt8((i * 7 + i / 64) % (1 << w)) }
        #expect(Set(codes).count == 1 << w)
        let packed = try TCFPxPacker.pack(codes: codes, geometry: geometry)
        func word(_ o: Int) -> UInt32 {
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(packed[o + i]) << UInt32(8 * i) }
            return v
        }
        let l = e + m
        let byteField: UInt32 = spaced ? ((1 << UInt32(l)) - 1) << UInt32(2 - m) : (0x7F >> UInt32(8 - w)) << UInt32(8 - w)
        let fieldMask = (byteField << 24) | (byteField << 8)
        func cast(_ x: UInt32, shift: Int) -> (UInt32, UInt32) {
            if shift == 0 { return (x & 0xFF00_FF00, (x << 8) & 0xFF00_FF00) }
            let y = x << 8
            return ((x & 0x8000_8000) | ((x & fieldMask) >> UInt32(shift)),
                    (y & 0x8000_8000) | ((y & fieldMask) >> UInt32(shift)))
        }
        let fp16Scale = Double(sign: .plus, exponent: 15 - format.bias, significand: 1)
        let bf16Scale = Double(sign: .plus, exponent: 127 - format.bias, significand: 1)
        let topMask: [Int: UInt32] = [1: 0x8080_8080, 2: 0xC0C0_C0C0, 4: 0xF0F0_F0F0]
        for lane in 0..<32 {
            for group in 0..<16 {
                // The kernel's assemble<G>: per segment, shift the word so group G's fields are on top of each
                // byte, mask, and move them down to their byte position.
                var x: UInt32 = 0
                for segment in geometry.segments {
                    let perWord = 8 / segment.bits
                    let (o, _) = TCFPxGeometry.wordLocation(segment, lane: lane, group: group, byte: 0)
                    let v = (word(o) << UInt32(segment.bits * (group % perWord))) & topMask[segment.bits]!
                    x |= v >> UInt32(7 - Self.bytePosition(segment, format: format, spaced: spaced))
                }
                let (p16, q16) = cast(x, shift: spaced ? 0 : 5 - e)
                let (pb, qb) = cast(x, shift: spaced ? 3 : 8 - e)
                // Register P = bytes 3 (hi) and 1 (lo); Q = bytes 2 and 0.
                let registers: [(UInt32, UInt32, Int, Int)] = [(p16, pb, 3, 1), (q16, qb, 2, 0)]
                for (reg16, regB, hiByte, loByte) in registers {
                    let halves: [(Int, Int)] = [(0, loByte), (1, hiByte)]
                    for (half, byte) in halves {
                        let (r, c) = TCFPxGeometry.source(lane: lane, group: group, byte: byte)
                        let expected = format.value(ofCode: codes[r * 128 + c])
                        let h = UInt16(truncatingIfNeeded: reg16 >> UInt32(16 * half))
                        let fp16 = Double(Float16(bitPattern: h)) * fp16Scale
                        let b = UInt16(truncatingIfNeeded: regB >> UInt32(16 * half))
                        let bf16 = Double(Float(bitPattern: UInt32(b) << 16)) * bf16Scale
                        let ok16 = fp16 == expected && fp16.sign == expected.sign
                        let okB = bf16 == expected && bf16.sign == expected.sign
                        if !ok16 || !okB {
                            Issue.record("\(format) code \(codes[r * 128 + c]): fp16 \(fp16), bf16 \(bf16), want \(expected)")
                            return
                        }
                    }
                }
            }
        }
    }

    @Test func formatValues() throws {
        let fp6 = try TCFPxFormat(name: "fp6")
        #expect(fp6.value(ofCode: 0b0_011_00) == 1)
        #expect(fp6.value(ofCode: 0b0_111_11) == 28)
        #expect(fp6.value(ofCode: 0b0_000_01) == 0.0625)
        #expect(fp6.value(ofCode: 0b1_001_00) == -0.25)
        let e2m3 = try TCFPxFormat(name: "fpe2m3")
        #expect(e2m3.value(ofCode: 0b0_11_111) == 7.5)
        #expect(e2m3.value(ofCode: 0b0_00_001) == 0.125)
    }
}

/// The split-K time model (`TCFPxGemm.splitK`) with H100 and H200 constants (132 SMs; 93 % of the DRAM peak:
/// 2619 MHz × 5120 bit → 3.12 TB/s, 3201 MHz × 6016 bit → 4.48 TB/s), against session 4's H100 sweep of forced
/// splits (docs/measurements/2026-11-21-s4-fpxplan-sweep.txt; docs/tcfpx.md "Split-K by time").
@Suite struct TCFPxSplitRuleTests {
    static let h100 = 0.93 * 2619e3 * 1e3 * 2 * 5120 / 8 / 1e6
    static let h200 = 0.93 * 3201e3 * 1e3 * 2 * 6016 / 8 / 1e6
    static let shapes = [(8192, 8192), (10240, 8192), (57344, 8192), (8192, 28672)]

    /// Splits for a v5 CTA (128 rows = 8 row tiles of `width`-bit codes) with `ctasPerSM` CTAs per SM.
    static func split(_ oc: Int, _ ic: Int, width: Int, ctasPerSM: Int, bandwidth: Double) -> Int {
        TCFPxGemm.splitK(columnTiles: (ic + 127) / 128, rowBlocks: (oc + 127) / 128, columnBlocks: 1,
                         slots: 132 * ctasPerSM, multiprocessors: 132, ctaUnitBytes: 8 * 256 * width,
                         bandwidth: bandwidth).splits
    }

    /// H100, N = 1 (FP6 3 CTAs per SM, FP5 4, FP4 5): every pick within 2 % of the fastest forced split of the sweep
    /// (µs, fastest in brackets): FP6 2 → 24.6 (s4 24.4), 3 → 28.8, 8 → 123.3 (s6 122.6), 2 → 66.9 (s4 66.3);
    /// FP5 4 → 21.6, 3 → 26.2 (s5 26.0), 8 → 103.4, 4 → 55.5; FP4 4 → 20.2, 3 → 24.3 (s8 23.8), 8 → 90.9 (s4 89.6),
    /// 4 → 50.2 (s8 49.5). The wave rule took 6/4/4/6, 8/6/1/8 and 10/8/4/10: FP5 57344×8192 at one split ran
    /// 122.9 µs (448 CTAs, 52 SMs with 4 and 80 with 3), 19 % slower than 8 splits.
    @Test func h100LlamaShapes() {
        let expected = [(6, 3, [2, 3, 8, 2]), (5, 4, [4, 3, 8, 4]), (4, 5, [4, 3, 8, 4])]
        for (width, ctasPerSM, splits) in expected {
            for ((oc, ic), s) in zip(Self.shapes, splits) {
                #expect(Self.split(oc, ic, width: width, ctasPerSM: ctasPerSM, bandwidth: Self.h100) == s,
                        "fp\(width) \(oc)x\(ic)")
            }
        }
        // N = 16 on 57344×8192 (FP5: 3 CTAs per SM, FP4: 4): split, not the single partial wave the wave rule chose
        // (FP4: 113.1 µs at 1 split, 105.6 at 8, 97.0 at 2).
        #expect(Self.split(57344, 8192, width: 5, ctasPerSM: 3, bandwidth: Self.h100) == 8)
        #expect(Self.split(57344, 8192, width: 4, ctasPerSM: 4, bandwidth: Self.h100) == 8)
    }

    /// H200 (compute-bound: the per-SM term decides): about two CTAs per SM in one wave, as on the H100, except
    /// 8192×8192 and 8192×28672 FP6, where the H100's bytes term allows one. Not timed on an H200 (the wave rule's
    /// 6/4/4/6 were: 20.4 / 25.6 / 95.5 / 50.3 µs in run 6b).
    @Test func h200LlamaShapes() {
        for (width, ctasPerSM) in [(6, 3), (5, 4), (4, 5)] {
            for ((oc, ic), s) in zip(Self.shapes, [4, 3, 8, 4]) {
                #expect(Self.split(oc, ic, width: width, ctasPerSM: ctasPerSM, bandwidth: Self.h200) == s,
                        "fp\(width) \(oc)x\(ic)")
            }
        }
    }

    /// The model's terms each decide somewhere: one CTA per SM costs its lone-CTA time (no 1-split 64-CTA grids),
    /// a grid longer than one wave pays a tail (fewer units per CTA), more than 8 splits only inside one wave.
    @Test func termsAndLimits() {
        for (oc, ic) in Self.shapes {
            let kt = ic / 128, rb = oc / 128
            for bw in [Self.h100, Self.h200] {
                let r = TCFPxGemm.splitK(columnTiles: kt, rowBlocks: rb, columnBlocks: 1, slots: 396, multiprocessors: 132,
                                         ctaUnitBytes: 8 * 1536, bandwidth: bw)
                #expect(r.splits > 1 && r.per * (r.splits - 1) < kt && r.per * r.splits >= kt)
                #expect(r.splits <= 8 || rb * r.splits <= 396)
            }
        }
        // Infinite bandwidth: only the per-SM and per-CTA terms; a tiny layer (one column tile) never splits.
        #expect(TCFPxGemm.splitK(columnTiles: 1, rowBlocks: 5, columnBlocks: 1, slots: 396, multiprocessors: 132,
                                 ctaUnitBytes: 12288, bandwidth: .infinity).splits == 1)
        // A long grid (30 waves at one split): its tail costs 0.65 µs per unit → split, but at most 8.
        let long = TCFPxGemm.splitK(columnTiles: 64, rowBlocks: 3960 * 3, columnBlocks: 1, slots: 396,
                                    multiprocessors: 132, ctaUnitBytes: 12288, bandwidth: Self.h100)
        #expect(long.splits > 1 && long.splits <= 8)
        // Less bandwidth never makes a call faster; 57344×8192 FP6 is memory-bound on the H100, so it costs more.
        for (oc, ic) in Self.shapes {
            func cost(_ bw: Double) -> Double {
                TCFPxGemm.splitK(columnTiles: ic / 128, rowBlocks: oc / 128, columnBlocks: 1, slots: 396,
                                 multiprocessors: 132, ctaUnitBytes: 12288, bandwidth: bw).cost
            }
            #expect(cost(Self.h100 / 2) >= cost(Self.h100) && cost(Self.h100) >= cost(Self.h200))
            if oc == 57344 { #expect(cost(Self.h100) > cost(Self.h200)) }
        }
    }

    @Test func clusterReductionChoice() {
        // Run 5 (H200): single-wave grids keep the global-memory reduction, multi-wave grids take the cluster one.
        #expect(!TCFPxGemm.prefersClusterReduction(splits: 6, ctas: 384, slots: 396))    // 8192×8192, N = 1
        #expect(!TCFPxGemm.prefersClusterReduction(splits: 4, ctas: 320, slots: 396))    // 10240×8192
        #expect(TCFPxGemm.prefersClusterReduction(splits: 4, ctas: 1792, slots: 396))    // 57344×8192
        #expect(TCFPxGemm.prefersClusterReduction(splits: 4, ctas: 1792, slots: 264))    // 57344×8192, N = 64
        // No split, or more splits than a portable cluster holds: never.
        #expect(!TCFPxGemm.prefersClusterReduction(splits: 1, ctas: 3960, slots: 396))
        #expect(!TCFPxGemm.prefersClusterReduction(splits: 9, ctas: 3960, slots: 396))
        // The capped rule still covers every column tile with at most 8 splits.
        for kt in [2, 9, 64, 224] {
            let r = TCFPxGemm.splitK(columnTiles: kt, rowBlocks: 3, columnBlocks: 1, slots: 396, multiprocessors: 132,
                                     ctaUnitBytes: 12288, bandwidth: Self.h100, maxSplits: 8)
            #expect(r.splits <= 8 && r.per * (r.splits - 1) < kt && r.per * r.splits >= kt)
        }
    }

    @Test func edgeCases() {
        // Every split covers at least one tile and together they cover all.
        for kt in [1, 2, 3, 5, 17, 64, 224] {
            for bw in [Self.h100, Self.h200, Double.infinity] {
                let r = TCFPxGemm.splitK(columnTiles: kt, rowBlocks: 3, columnBlocks: 2, slots: 264, multiprocessors: 132,
                                         ctaUnitBytes: 12288, bandwidth: bw)
                #expect(r.per * (r.splits - 1) < kt && r.per * r.splits >= kt)
            }
        }
    }

    @Test func stageGranule() {
        // Intra-CTA split-K (kWarps = g): a split's column tiles are whole pipeline stages of g tiles, every split
        // non-empty, all tiles covered.
        for g in [2, 4, 8] {
            for kt in [1, 2, 3, 5, 17, 64, 224] {
                for rowBlocks in [3, 257, 512] {
                    let r = TCFPxGemm.splitK(columnTiles: kt, rowBlocks: rowBlocks, columnBlocks: 1, slots: 660,
                                             multiprocessors: 132, ctaUnitBytes: 3072, bandwidth: Self.h100,
                                             ctaUnitWeights: 32 * 128, granule: g)
                    #expect(r.per % g == 0 && r.per * (r.splits - 1) < kt && r.per * r.splits >= kt)
                }
            }
        }
    }
}

/// The kernel's view of the formats (TCFPxFormat.value) against the formats layer's codec (FPxFormat.decode),
/// two independent implementations, and the FPxMatrix bridge.
@Suite struct TCFPxFormatsBridgeTests {
    @Test(arguments: [(3, 2), (2, 3), (2, 2), (3, 1), (2, 1)])
    func valuesAgreeWithFormatsCodec(e: Int, m: Int) throws {
        let codec = try FPxFormat(exponentBits: e, mantissaBits: m)
        let format = try TCFPxFormat(codec)
        for code in 0..<format.codeCount {
            let a = format.value(ofCode: UInt8(code)), b = Double(codec.decode(UInt8(code)))
            #expect(a == b && a.sign == b.sign, "e\(e)m\(m) code \(code): \(a) vs \(b)")
        }
    }

    @Test func packsPerRowMatrixAndRefusesGroups() throws {
        let codec = try FPxFormat(exponentBits: 3, mantissaBits: 2)
        var rng = TCFPxTestRNG(seed: 5)
        let (rows, cols) = (37, 300)
        let weights = (0..<rows * cols).map { _ in Float(Int(rng.next() % 2001) - 1000) / 500 }
        let matrix = try FPxMatrix.quantize(weights, rows: rows, columns: cols, format: codec)
        let prepared = try TCFPxPreparedWeights(matrix)
        #expect(prepared.scales == matrix.scales)
        #expect(try TCFPxPacker.unpack(packed: prepared.packed, geometry: prepared.geometry) == matrix.codes)
        let grouped = try FPxMatrix.quantize(weights, rows: rows, columns: cols, format: codec, grouping: .columns(100))
        #expect(throws: LowBitError.self) { try TCFPxPreparedWeights(grouped) }
    }
}

/// The kernel configurations the planner picks by default (split accumulators, cluster reduction) and the opt-in
/// ones compile for sm_90a without spills (TN = 64 with split accumulators sits at ~250 registers). Runs where NVRTC
/// is present (CI installs it); the GPU self-tests run the same configurations.
@Suite struct TCFPxKernelCompileTests {
    static let nvrtcReady: Bool = (try? NVRTC.shared()) != nil

    @Test(.enabled(if: nvrtcReady, "NVRTC not found (scripts/ci-cuda-compile.sh installs it)"))
    func plannedConfigurationsCompileWithoutSpills() throws {
        let nvrtc = try NVRTC.shared()
        // (E, M, BF16, NT, warps, stages, aligned X, acc2, bulk, cluster): every batch tile with the defaults,
        // the widest formats at TN = 64, BF16, unaligned X, and each opt-in path once.
        let configs: [(Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
            (3, 2, 0, 1, 4, 4, 1, 1, 0, 0), (3, 2, 0, 2, 4, 4, 1, 1, 0, 6), (3, 2, 0, 4, 4, 3, 1, 1, 0, 0),
            (3, 2, 0, 8, 4, 3, 1, 1, 0, 4), (2, 3, 1, 8, 4, 3, 1, 1, 0, 0), (4, 2, 1, 8, 4, 3, 0, 1, 0, 0),
            (1, 1, 0, 8, 4, 3, 1, 1, 0, 8), (2, 2, 1, 2, 8, 4, 1, 1, 1, 0), (2, 1, 0, 1, 4, 4, 1, 0, 1, 2),
        ]
        for (e, m, bf16, nt, warps, stages, aligned, acc2, bulk, cluster) in configs {
            let defines = ["TCFPX_E": "\(e)", "TCFPX_M": "\(m)", "TCFPX_BF16": "\(bf16)", "TCFPX_NT": "\(nt)",
                           "TCFPX_MT": "\(8 / warps)", "TCFPX_WARPS": "\(warps)", "TCFPX_STAGES": "\(stages)",
                           "TCFPX_XALIGNED": "\(aligned)", "TCFPX_ACC2": "\(acc2)", "TCFPX_BULK": "\(bulk)",
                           "TCFPX_CLUSTER": "\(cluster)"]
            let module = try nvrtc.compile(.tcfpx, architecture: CUDAArchitecture("sm_90a"), defines: defines,
                                           useCache: false)
            #expect(Set(module.loweredNames.keys) == Set(CUDAKernelSource.tcfpx.kernels), "\(defines)")
            #expect(module.spillViolations.isEmpty, "\(defines): \(module.spillViolations)")
        }
    }
}
