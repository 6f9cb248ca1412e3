import Testing
import LowBitCore
@testable import LowBitCUDA

/// Small deterministic generator so failures reproduce (seeded per case, fresh values per case).
private typealias SplitMix = SplitMix64

private let groupSizes: [LUTGroupSize] = [.group(32), .group(64), .group(128), .group(256), .perRow]
private let shapes: [(Int, Int)] = [(1, 1), (16, 64), (17, 100), (48, 576), (576, 192), (33, 129), (8, 300)]

@Suite struct FLUTELayoutTests {
    @Test(arguments: [2, 3, 4])
    func packThenUnpackIsIdentity(bits: Int) throws {
        var rng = SplitMix(seed: UInt64(bits) * 1_000_003)
        for (outputs, inputs) in shapes {
            for groupSize in groupSizes {
                let shape = try FLUTEShape(bits: bits, outputs: outputs, inputs: inputs, groupSize: groupSize)
                let codes = (0..<outputs * inputs).map { _ in UInt8.random(in: 0..<UInt8(1 << bits), using: &rng) }
                // Both signs: a negative scale mirrors the table (`lowbit quantize --signed-scales`).
                let scales = (0..<outputs * shape.groupsPerRow).map { _ in
                    floatToHalfBits(Float.random(in: 0.01...2, using: &rng) * (Bool.random(using: &rng) ? 1 : -1))
                }
                let packed = try FLUTELayout.pack(codes: codes, scales: scales, bits: bits, outputs: outputs,
                                                  inputs: inputs, groupSize: groupSize)
                #expect(packed.codes.count == shape.codeBytes)
                // No wasted bits: packed bytes = padded weights × bits / 8.
                #expect(shape.codeBytes * 8 == shape.paddedOutputs * shape.paddedInputs * bits)
                let (back, backScales) = FLUTELayout.unpack(packed)
                #expect(back == codes, "codes \(bits)-bit \(outputs)×\(inputs) G=\(groupSize)")
                #expect(backScales == scales, "scales \(bits)-bit \(outputs)×\(inputs) G=\(groupSize)")
                // The BF16 copy keeps each scale's sign.
                for (word, bf) in zip(packed.scales, packed.scalesAsBFloat16()) {
                    #expect((word >> 15) & 1 == (bf >> 15) & 1 && (word >> 31) & 1 == (bf >> 31) & 1)
                }
            }
        }
    }

    /// Every distinct code pair lands in a distinct pair index and decodes back (the table is a bijection).
    @Test(arguments: [2, 3, 4])
    func pairIndexIsABijection(bits: Int) {
        var seen = Set<Int>()
        for even in 0..<(1 << bits) {
            for odd in 0..<(1 << bits) {
                let e = FLUTELayout.pairIndex(even, odd, bits: bits)
                #expect(e >= 0 && e < FLUTELayout.pairTableCount(bits: bits))
                #expect(FLUTELayout.codesOfPairIndex(e, bits: bits) == (even, odd))
                seen.insert(e)
            }
        }
        #expect(seen.count == FLUTELayout.pairTableCount(bits: bits))
    }

    /// Emulates the kernel's reading of the packed words (32-bit loads, shifts, masks, the pair table,
    /// the m16n8k16 fragment layout and the K permutation) on the CPU and compares the GEMM with a
    /// float64 dense reference on the same codes. Catches any disagreement between packer and kernel.
    @Test(arguments: [2, 3, 4])
    func kernelReadingMatchesDenseReference(bits: Int) throws {
        var rng = SplitMix(seed: 77 + UInt64(bits))
        let table = (0..<(1 << bits)).map { _ in Float.random(in: -1...1, using: &rng) }
        let pairTable = try FLUTELayout.pairTable(table: table, bits: bits, elementType: .float16)
        for (outputs, inputs) in [(17, 100), (40, 300), (16, 64)] {
            for groupSize in groupSizes {
                let shape = try FLUTEShape(bits: bits, outputs: outputs, inputs: inputs, groupSize: groupSize)
                let codes = (0..<outputs * inputs).map { _ in UInt8.random(in: 0..<UInt8(1 << bits), using: &rng) }
                let scales = (0..<outputs * shape.groupsPerRow).map { _ in
                    floatToHalfBits(Float.random(in: 0.1...2, using: &rng) * (Bool.random(using: &rng) ? 1 : -1))
                }
                let x = (0..<inputs).map { _ in Double(Float.random(in: -1...1, using: &rng)) }
                let packed = try FLUTELayout.pack(codes: codes, scales: scales, bits: bits, outputs: outputs,
                                                  inputs: inputs, groupSize: groupSize)
                // Dense reference with the fp16-rounded table (what the pair table holds).
                var reference = [Double](repeating: 0, count: outputs)
                let gs: Int = { if case .group(let g) = groupSize { return g }; return Int.max }()
                for n in 0..<outputs {
                    for k in 0..<inputs {
                        let w = Double(halfBitsToFloat(floatToHalfBits(table[Int(codes[n * inputs + k])])))
                        let s = Double(halfBitsToFloat(scales[n * shape.groupsPerRow + (gs == Int.max ? 0 : k / gs)]))
                        reference[n] += w * s * x[k]
                    }
                }
                let emulated = emulateKernel(packed, pairTable: pairTable, x: x)
                for n in 0..<outputs {
                    #expect(abs(emulated[n] - reference[n]) <= 1e-9 * max(1, abs(reference[n])),
                            "\(bits)-bit G=\(groupSize) row \(n): \(emulated[n]) vs \(reference[n])")
                }
            }
        }
    }

    private func emulateKernel(_ packed: FLUTEPackedWeight, pairTable: [UInt32], x: [Double]) -> [Double] {
        let shape = packed.shape
        let kl = shape.chunkK / 4, steps = kl / 4
        var y = [Double](repeating: 0, count: shape.paddedOutputs)
        func word(_ byteOffset: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(packed.codes[byteOffset + $1]) << (8 * $1) }
        }
        let highPlane = shape.rowTiles * shape.chunks * 32 * 16
        for rt in 0..<shape.rowTiles {
            for c in 0..<shape.chunks {
                for lane in 0..<32 {
                    let g = lane >> 2, t = lane & 3
                    let vector = (rt * shape.chunks + c) * 32 + lane
                    let group = (c * shape.chunkK + t * kl) >> shape.groupShift
                    let scaleWord = packed.scales[(rt * shape.paddedGroupsPerRow + group) * 8 + g]
                    let scaleLow = Double(halfBitsToFloat(UInt16(truncatingIfNeeded: scaleWord)))
                    let scaleHigh = Double(halfBitsToFloat(UInt16(truncatingIfNeeded: scaleWord >> 16)))
                    for j in 0..<steps {
                        for i in 0..<4 {
                            let e: Int
                            switch shape.bits {
                            case 4: e = Int((word(vector * 16 + 4 * j) >> (8 * UInt32(i))) & 0xff)
                            case 2: e = Int((word(vector * 16 + 4 * (j >> 1)) >> UInt32(16 * (j & 1) + 4 * i)) & 15)
                            default:
                                let low = (word(vector * 16 + 4 * (j >> 1)) >> UInt32(16 * (j & 1) + 4 * i)) & 15
                                let high = (word(highPlane + vector * 8 + 4 * (j >> 2)) >> UInt32(8 * (j & 3) + 2 * i)) & 3
                                e = Int(low | high << 4)
                            }
                            let entry = pairTable[e]
                            let row = rt * 16 + g + (i & 1) * 8
                            let k = c * shape.chunkK + t * kl + 4 * j + (i >> 1) * 2
                            let s = (i & 1) == 0 ? scaleLow : scaleHigh
                            let w0 = Double(halfBitsToFloat(UInt16(truncatingIfNeeded: entry))) * s
                            let w1 = Double(halfBitsToFloat(UInt16(truncatingIfNeeded: entry >> 16))) * s
                            if k < x.count { y[row] += w0 * x[k] }
                            if k + 1 < x.count { y[row] += w1 * x[k + 1] }
                        }
                    }
                }
            }
        }
        return Array(y[0..<shape.outputs])
    }

    /// scripts/flute_pack.py (the GPU harness's NumPy packer) must produce the same bytes as `pack`:
    /// these hashes were printed by `python3 scripts/flute_pack.py` on the same fixed pattern.
    @Test func numpyMirrorHashes() throws {
        let cases: [(Int, Int, Int, LUTGroupSize, UInt64, UInt64)] = [
        (2, 33, 300, .group(64), 0xb3802ff86e951887, 0xf26fe565b0cfd781),
        (2, 48, 576, .perRow, 0xa5479051b5c9cd0f, 0x2c8176b6307f58e5),
        (2, 17, 129, .group(32), 0xac3dcbcc731e766c, 0x1b9bcbd8aabbd9b1),
        (3, 33, 300, .group(64), 0x5eeeefb1d8b594f5, 0xf26fe565b0cfd781),
        (3, 48, 576, .perRow, 0xfb4e3811d9b9f5ab, 0x2c8176b6307f58e5),
        (3, 17, 129, .group(32), 0x07d086971dd472cb, 0x1b9bcbd8aabbd9b1),
        (4, 33, 300, .group(64), 0x0817c7d65992fb09, 0xa84432a664853201),
        (4, 48, 576, .perRow, 0xa4bd485b137f58c5, 0x2c8176b6307f58e5),
        (4, 17, 129, .group(32), 0x5464aef214398ea5, 0x73937db5f8fbc3b1),
        ]
        func fnv1a(_ bytes: [UInt8]) -> UInt64 {
            bytes.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        }
        for (bits, outputs, inputs, groupSize, codeHash, scaleHash) in cases {
            let shape = try FLUTEShape(bits: bits, outputs: outputs, inputs: inputs, groupSize: groupSize)
            var codes = [UInt8](), scales = [UInt16]()
            for n in 0..<outputs { for k in 0..<inputs { codes.append(UInt8((n * 7 + k * 13 + (n * k) % 11) % (1 << bits))) } }
            for n in 0..<outputs { for g in 0..<shape.groupsPerRow { scales.append(UInt16(0x3000 + (n * 3 + g * 5) % 1024)) } }
            let packed = try FLUTELayout.pack(codes: codes, scales: scales, bits: bits, outputs: outputs,
                                              inputs: inputs, groupSize: groupSize)
            let scaleBytes = packed.scales.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
            #expect(fnv1a(packed.codes) == codeHash, "codes \(bits)-bit \(outputs)×\(inputs) G=\(groupSize)")
            #expect(fnv1a(scaleBytes) == scaleHash, "scales \(bits)-bit \(outputs)×\(inputs) G=\(groupSize)")
        }
    }

    @Test func badInputsAreRejected() {
        #expect(throws: LowBitError.self) { try FLUTEShape(bits: 5, outputs: 16, inputs: 64, groupSize: .group(64)) }
        #expect(throws: LowBitError.self) { try FLUTEShape(bits: 4, outputs: 16, inputs: 64, groupSize: .group(48)) }
        #expect(throws: LowBitError.self) {
            try FLUTELayout.pack(codes: [16], scales: [0x3c00], bits: 4, outputs: 1, inputs: 1, groupSize: .perRow)
        }
        #expect(throws: LowBitError.self) {
            try FLUTELayout.pack(codes: [1, 2], scales: [0x3c00], bits: 4, outputs: 1, inputs: 1, groupSize: .perRow)
        }
        #expect(throws: LowBitError.self) { try FLUTELayout.pairTable(table: [0, .nan, 1, 2], bits: 2, elementType: .float16) }
        #expect(throws: LowBitError.self) { try FLUTELayout.pairTable(table: [0, 1], bits: 2, elementType: .float16) }
    }
}
