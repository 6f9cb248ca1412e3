import Testing
import LowBitCore
@testable import LowBitCUDA

/// Small deterministic generator so failures reproduce (seeded per case, fresh values per case).
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let groupSizes: [LUTGroupSize] = [.group(32), .group(64), .group(128), .group(256), .perRow]
private let shapes: [(Int, Int)] = [(1, 1), (16, 64), (17, 100), (48, 576), (576, 192), (33, 129), (8, 300)]

@Suite struct FLUTELayoutTests {
    @Test(arguments: [2, 3, 4])
    func packThenUnpackIsIdentity(bits: Int) throws {
        var rng = SplitMix(state: UInt64(bits) * 1_000_003)
        for (outputs, inputs) in shapes {
            for groupSize in groupSizes {
                let shape = try FLUTEShape(bits: bits, outputs: outputs, inputs: inputs, groupSize: groupSize)
                let codes = (0..<outputs * inputs).map { _ in UInt8.random(in: 0..<UInt8(1 << bits), using: &rng) }
                let scales = (0..<outputs * shape.groupsPerRow).map { _ in
                    floatToHalfBits(Float.random(in: 0.01...2, using: &rng))
                }
                let packed = try FLUTELayout.pack(codes: codes, scales: scales, bits: bits, outputs: outputs,
                                                  inputs: inputs, groupSize: groupSize)
                #expect(packed.codes.count == shape.codeBytes)
                // No wasted bits: packed bytes = padded weights × bits / 8.
                #expect(shape.codeBytes * 8 == shape.paddedOutputs * shape.paddedInputs * bits)
                let (back, backScales) = FLUTELayout.unpack(packed)
                #expect(back == codes, "codes \(bits)-bit \(outputs)×\(inputs) G=\(groupSize)")
                #expect(backScales == scales, "scales \(bits)-bit \(outputs)×\(inputs) G=\(groupSize)")
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
        var rng = SplitMix(state: 77 + UInt64(bits))
        let table = (0..<(1 << bits)).map { _ in Float.random(in: -1...1, using: &rng) }
        let pairTable = try FLUTELayout.pairTable(table: table, bits: bits, elementType: .float16)
        for (outputs, inputs) in [(17, 100), (40, 300), (16, 64)] {
            for groupSize in groupSizes {
                let shape = try FLUTEShape(bits: bits, outputs: outputs, inputs: inputs, groupSize: groupSize)
                let codes = (0..<outputs * inputs).map { _ in UInt8.random(in: 0..<UInt8(1 << bits), using: &rng) }
                let scales = (0..<outputs * shape.groupsPerRow).map { _ in
                    floatToHalfBits(Float.random(in: 0.1...2, using: &rng))
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
