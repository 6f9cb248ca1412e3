import LowBitCore

/// Offline restructuring of lookup-table codes for the FLUTE kernel (Kernels/flute.cu), and its exact inverse.
///
/// The kernel computes Y[m, n] = Σ_k X[m, k] · table[code[n, k]] · scale[n, k / G] with `mma.sync m16n8k16`, the
/// WEIGHTS as the A operand (16 output rows × 16 k) and the activations as B (16 k × 8 batch rows): at decode
/// batch sizes this wastes nothing of the weight tile. Each thread's A registers hold two neighbouring k of one
/// row, so a pair of codes is one pair-table index and one shared-memory lookup yields the whole register
/// (half2/bf162).
///
/// Layout (derived here, not FLUTE's): the weight matrix is cut into row tiles of 16 rows and K chunks of
/// `chunkK` = 4·KL inputs (KL = 16 for 4-bit, 32 for 2- and 3-bit). A warp reads one chunk of one row tile as
/// 32 lanes × 16 contiguous bytes (one 128-bit load each, fully coalesced). Inside a chunk the K order the
/// Tensor Core sees is permuted (any bijection applied to A and B alike leaves the product unchanged): lane
/// (g = lane/4, t = lane%4) in MMA step j holds the inputs k = chunkStart + t·KL + 4j + {0, 1} (registers a0,
/// a1) and + {2, 3} (a2, a3), rows g (a0, a2) and g + 8 (a1, a3). So a lane's activations for a chunk are KL
/// consecutive values (128-bit loads too), and its codes for step j are one 32-bit word (4-bit: byte i = pair
/// index of register a_i), one 16-bit half word (2-bit: nibble i), or 16 + 8 bits (3-bit: a 2-bit plane laid
/// out like 2-bit plus a 1-bit plane, 8 bits per step, so nothing is wasted). Only shifts and masks separate
/// the indices: no runtime shuffles.
///
/// Pair index e of a register (codes cE at the even k, cO at the odd k):
///   4-bit: e = cE << 4 | cO (256 entries); 2-bit: e = cE << 2 | cO (16 entries);
///   3-bit: e = (cE >> 2) << 5 | (cO >> 2) << 4 | (cE & 3) << 2 | (cO & 3) (64 entries).
/// Scales: one 32-bit word per (row tile, group, g) holding the 16-bit scales of rows g (low half) and g + 8.
/// Padding rows/inputs get code 0 and scale 0, so they dequantize to exactly 0.
public enum FLUTELayout {
    /// Inputs per chunk that one warp reads with one 128-bit load per lane.
    public static func chunkK(bits: Int) -> Int { bits == 4 ? 64 : 128 }

    /// Pair table entry count, 2^(2b).
    public static func pairTableCount(bits: Int) -> Int { 1 << (2 * bits) }

    /// The codes (even k, odd k) that pair index `e` stands for.
    @inline(__always)
    public static func codesOfPairIndex(_ e: Int, bits: Int) -> (even: Int, odd: Int) {
        switch bits {
        case 4: return (e >> 4, e & 15)
        case 2: return (e >> 2, e & 3)
        default: return (((e >> 5) & 1) << 2 | ((e >> 2) & 3), ((e >> 4) & 1) << 2 | (e & 3))
        }
    }

    @inline(__always)
    static func pairIndex(_ even: Int, _ odd: Int, bits: Int) -> Int {
        switch bits {
        case 4: return even << 4 | odd
        case 2: return even << 2 | odd
        default: return (even >> 2) << 5 | (odd >> 2) << 4 | (even & 3) << 2 | (odd & 3)
        }
    }

    /// The pair table the kernel reads: entry e holds (table[even], table[odd]) as two 16-bit values of
    /// `elementType` (.float16 or .bfloat16), the even one in the low half.
    public static func pairTable(table: [Float], bits: Int, elementType: ElementType) throws -> [UInt32] {
        guard bits == 2 || bits == 3 || bits == 4 else {
            throw LowBitError.invalidArgument("bits", "FLUTE supports 2, 3 or 4 bits, not \(bits)")
        }
        guard table.count == 1 << bits else {
            throw LowBitError.invalidArgument("table", "has \(table.count) entries, \(bits)-bit codes need \(1 << bits)")
        }
        guard table.allSatisfy({ $0.isFinite }) else {
            throw LowBitError.invalidArgument("table", "has a non-finite entry")
        }
        let convert: (Float) -> UInt16
        switch elementType {
        case .float16: convert = floatToHalfBits
        case .bfloat16: convert = floatToBFloat16Bits
        default: throw LowBitError.invalidArgument("elementType", "FLUTE activations are F16 or BF16, not \(elementType)")
        }
        return (0..<pairTableCount(bits: bits)).map { e in
            let (even, odd) = codesOfPairIndex(e, bits: bits)
            return UInt32(convert(table[even])) | UInt32(convert(table[odd])) << 16
        }
    }

    /// Restructures row-major codes (outputs × inputs, one code per byte, < 2^bits) and row-major fp16
    /// scales (outputs × groupsPerRow) for the kernel.
    public static func pack(codes: [UInt8], scales: [UInt16], bits: Int, outputs: Int, inputs: Int,
                            groupSize: LUTGroupSize) throws -> FLUTEPackedWeight {
        let shape = try FLUTEShape(bits: bits, outputs: outputs, inputs: inputs, groupSize: groupSize)
        guard codes.count == outputs * inputs else {
            throw LowBitError.shapeMismatch("FLUTE codes: \(codes.count) values for \(outputs)×\(inputs)")
        }
        guard scales.count == outputs * shape.groupsPerRow else {
            throw LowBitError.shapeMismatch(
                "FLUTE scales: \(scales.count) values for \(outputs) rows × \(shape.groupsPerRow) groups")
        }
        let limit = UInt8(1 << bits)
        if let bad = codes.firstIndex(where: { $0 >= limit }) {
            throw LowBitError.invalidArgument(
                "codes", "code \(codes[bad]) at row \(bad / inputs), input \(bad % inputs) does not fit in \(bits) bits")
        }
        var packedCodes = [UInt8](repeating: 0, count: shape.codeBytes)
        var packedScales = [UInt32](repeating: 0, count: shape.scaleWords)
        codes.withUnsafeBufferPointer { src in
            packedCodes.withUnsafeMutableBufferPointer { dst in
                let dstBase = dst.baseAddress!
                let srcBase = src.baseAddress!
                nonisolated(unsafe) let d = dstBase
                nonisolated(unsafe) let s = srcBase
                Parallel.forEach(chunks: shape.rowTiles) { rt in
                    forEachSlot(shape, rowTile: rt) { row, k, slot in
                        let even = (row < outputs && k < inputs) ? Int(s[row * inputs + k]) : 0
                        let odd = (row < outputs && k + 1 < inputs) ? Int(s[row * inputs + k + 1]) : 0
                        write(pairIndex(even, odd, bits: bits), slot: slot, bits: bits, to: d)
                    }
                }
            }
        }
        for rt in 0..<shape.rowTiles {
            for group in 0..<shape.paddedGroupsPerRow {
                for g in 0..<8 {
                    let rowLow = rt * 16 + g, rowHigh = rowLow + 8
                    let low = rowLow < outputs && group < shape.groupsPerRow ? scales[rowLow * shape.groupsPerRow + group] : 0
                    let high = rowHigh < outputs && group < shape.groupsPerRow ? scales[rowHigh * shape.groupsPerRow + group] : 0
                    packedScales[(rt * shape.paddedGroupsPerRow + group) * 8 + g] = UInt32(low) | UInt32(high) << 16
                }
            }
        }
        return FLUTEPackedWeight(shape: shape, codes: packedCodes, scales: packedScales)
    }

    /// The exact inverse of `pack`: row-major codes and fp16 scales.
    public static func unpack(_ packed: FLUTEPackedWeight) -> (codes: [UInt8], scales: [UInt16]) {
        let shape = packed.shape
        var codes = [UInt8](repeating: 0, count: shape.outputs * shape.inputs)
        packed.codes.withUnsafeBufferPointer { src in
            for rt in 0..<shape.rowTiles {
                forEachSlot(shape, rowTile: rt) { row, k, slot in
                    guard row < shape.outputs else { return }
                    let (even, odd) = codesOfPairIndex(read(slot: slot, bits: shape.bits, from: src.baseAddress!),
                                                       bits: shape.bits)
                    if k < shape.inputs { codes[row * shape.inputs + k] = UInt8(even) }
                    if k + 1 < shape.inputs { codes[row * shape.inputs + k + 1] = UInt8(odd) }
                }
            }
        }
        var scales = [UInt16](repeating: 0, count: shape.outputs * shape.groupsPerRow)
        for row in 0..<shape.outputs {
            let rt = row / 16, g = row % 8, high = (row % 16) >= 8
            for group in 0..<shape.groupsPerRow {
                let word = packed.scales[(rt * shape.paddedGroupsPerRow + group) * 8 + g]
                scales[row * shape.groupsPerRow + group] = UInt16(truncatingIfNeeded: high ? word >> 16 : word)
            }
        }
        return (codes, scales)
    }

    /// Where one pair index lives: byte offset and bit shift in the main plane; for 3-bit also in the high plane.
    struct Slot {
        var byte: Int
        var shift: Int
        var highByte: Int
        var highShift: Int
    }

    /// Calls `body(row, evenK, slot)` for every register pair of one row tile (padding included).
    @inline(__always)
    static func forEachSlot(_ shape: FLUTEShape, rowTile rt: Int, _ body: (Int, Int, Slot) -> Void) {
        let kl = shape.chunkK / 4, steps = kl / 4
        let highPlane = shape.rowTiles * shape.chunks * 32 * 16
        for c in 0..<shape.chunks {
            for lane in 0..<32 {
                let g = lane >> 2, t = lane & 3
                let vector = (rt * shape.chunks + c) * 32 + lane
                for j in 0..<steps {
                    for i in 0..<4 {
                        let row = rt * 16 + g + (i & 1) * 8
                        let k = c * shape.chunkK + t * kl + 4 * j + (i >> 1) * 2
                        var slot = Slot(byte: 0, shift: 0, highByte: 0, highShift: 0)
                        if shape.bits == 4 {
                            slot.byte = vector * 16 + j * 4 + i
                        } else {
                            let bit = 16 * j + 4 * i  // 16 bits per step, nibble i
                            slot.byte = vector * 16 + bit / 8
                            slot.shift = bit % 8
                            let highBit = 8 * j + 2 * i  // 3-bit high plane: 8 bits per step
                            slot.highByte = highPlane + vector * 8 + highBit / 8
                            slot.highShift = highBit % 8
                        }
                        body(row, k, slot)
                    }
                }
            }
        }
    }

    @inline(__always)
    static func write(_ e: Int, slot: Slot, bits: Int, to base: UnsafeMutablePointer<UInt8>) {
        switch bits {
        case 4: base[slot.byte] = UInt8(e)
        case 2: base[slot.byte] |= UInt8(e << slot.shift)
        default:
            base[slot.byte] |= UInt8((e & 15) << slot.shift)
            base[slot.highByte] |= UInt8((e >> 4) << slot.highShift)
        }
    }

    @inline(__always)
    static func read(slot: Slot, bits: Int, from base: UnsafePointer<UInt8>) -> Int {
        switch bits {
        case 4: return Int(base[slot.byte])
        case 2: return Int(base[slot.byte] >> UInt8(slot.shift)) & 15
        default:
            return (Int(base[slot.byte] >> UInt8(slot.shift)) & 15)
                | (Int(base[slot.highByte] >> UInt8(slot.highShift)) & 3) << 4
        }
    }
}

/// Group size of the per-group scales: G consecutive inputs of one output row, or the whole row.
public enum LUTGroupSize: Sendable, Equatable, CustomStringConvertible {
    case group(Int)
    case perRow

    public var description: String {
        switch self {
        case .group(let g): "\(g)"
        case .perRow: "row"
        }
    }
}

/// The shape facts the packer, the kernel and the launcher agree on.
public struct FLUTEShape: Sendable, Equatable {
    public let bits: Int
    public let outputs: Int
    public let inputs: Int
    public let groupSize: LUTGroupSize
    /// Inputs per scale as the kernel sees it (a power of two ≥ 16; per-row: ≥ paddedInputs).
    public let kernelGroupSize: Int
    public let groupsPerRow: Int
    public let paddedGroupsPerRow: Int
    public let chunkK: Int
    public let rowTiles: Int
    public let chunks: Int

    public init(bits: Int, outputs: Int, inputs: Int, groupSize: LUTGroupSize) throws {
        guard bits == 2 || bits == 3 || bits == 4 else {
            throw LowBitError.invalidArgument("bits", "FLUTE supports 2, 3 or 4 bits, not \(bits)")
        }
        guard outputs > 0, inputs > 0, outputs <= 1 << 24, inputs <= 1 << 24 else {
            throw LowBitError.invalidArgument("shape", "FLUTE needs 1…16M outputs and inputs, got \(outputs)×\(inputs)")
        }
        self.bits = bits
        self.outputs = outputs
        self.inputs = inputs
        self.groupSize = groupSize
        chunkK = FLUTELayout.chunkK(bits: bits)
        rowTiles = (outputs + 15) / 16
        chunks = (inputs + chunkK - 1) / chunkK
        let paddedInputs = chunks * chunkK
        switch groupSize {
        case .group(let g):
            guard [32, 64, 128, 256].contains(g) else {
                throw LowBitError.invalidArgument("group-size", "FLUTE groups are 32, 64, 128, 256 or per-row, not \(g)")
            }
            kernelGroupSize = g
            groupsPerRow = (inputs + g - 1) / g
            paddedGroupsPerRow = (paddedInputs + g - 1) / g
        case .perRow:
            var g = 16
            while g < paddedInputs { g *= 2 }
            kernelGroupSize = g
            groupsPerRow = 1
            paddedGroupsPerRow = 1
        }
    }

    public var paddedOutputs: Int { rowTiles * 16 }
    public var paddedInputs: Int { chunks * chunkK }
    /// Bytes of packed codes (3-bit: the 2-bit plane, then the 1-bit plane).
    public var codeBytes: Int { rowTiles * chunks * 32 * (bits == 3 ? 24 : 16) }
    public var scaleWords: Int { rowTiles * paddedGroupsPerRow * 8 }
    /// log2(kernelGroupSize).
    public var groupShift: Int { kernelGroupSize.trailingZeroBitCount }
}

/// Codes and scales restructured for the FLUTE kernel.
public struct FLUTEPackedWeight: Sendable {
    public let shape: FLUTEShape
    public let codes: [UInt8]
    /// One word per (row tile, group, g): scales of rows g and g + 8 (fp16 bits).
    public let scales: [UInt32]

    /// The scales re-rounded to bfloat16 for BF16 activations.
    public func scalesAsBFloat16() -> [UInt32] {
        scales.map { word in
            let low = floatToBFloat16Bits(halfBitsToFloat(UInt16(truncatingIfNeeded: word)))
            let high = floatToBFloat16Bits(halfBitsToFloat(UInt16(truncatingIfNeeded: word >> 16)))
            return UInt32(low) | UInt32(high) << 16
        }
    }
}
