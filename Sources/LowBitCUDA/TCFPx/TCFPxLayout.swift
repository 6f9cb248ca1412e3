import LowBitCore
import LowBitFormats

/// An FPx weight format as the TC-FPx kernel sees it: codes of 1 + E + M bits, `[sign | exponent | mantissa]`
/// MSB first, bias 2^(E−1) − 1, subnormals at exponent 0, no inf/NaN (docs/tcfpx.md, shared design note §1).
///
/// The GPU kernel supports widths 3…7 with E in 1…4: the exponent field is moved into the low E bits of FP16's
/// 5-bit exponent, which must never become all ones.
public struct TCFPxFormat: Hashable, Sendable, CustomStringConvertible {
    public let exponentBits: Int
    public let mantissaBits: Int

    public init(exponentBits: Int, mantissaBits: Int) throws {
        guard (1...4).contains(exponentBits), mantissaBits >= 0, (3...7).contains(1 + exponentBits + mantissaBits)
        else {
            throw LowBitError.unsupported(
                "TC-FPx format e\(exponentBits)m\(mantissaBits): the GPU kernel needs 1 ≤ E ≤ 4 and a width 1+E+M of 3…7 bits")
        }
        self.exponentBits = exponentBits
        self.mantissaBits = mantissaBits
    }

    /// The names of LowBitFormats' `FPxFormat` (fp6 = e3m2, fp5 = e2m2, fp4 = e2m1, fpeXmY / eXmY), plus
    /// fp3 = e1m1, the kernel's narrowest width; then the kernel's own limits.
    public init(name: String) throws {
        let fpx = try FPxFormat(parsing: name.lowercased() == "fp3" ? "fpe1m1" : name)
        try self.init(exponentBits: fpx.exponentBits, mantissaBits: fpx.mantissaBits)
    }

    /// Bits per code.
    public var width: Int { 1 + exponentBits + mantissaBits }
    public var bias: Int { (1 << (exponentBits - 1)) - 1 }
    public var codeCount: Int { 1 << width }
    /// "e3m2".
    public var description: String { "e\(exponentBits)m\(mantissaBits)" }
    /// CLI name: fp6 for e3m2, fp5 for e2m2, fp4 for e2m1, else fpeXmY.
    public var cliName: String {
        switch (exponentBits, mantissaBits) {
        case (3, 2): "fp6"
        case (2, 2): "fp5"
        case (2, 1): "fp4"
        default: "fp\(description)"
        }
    }

    /// The exact value of a code (low `width` bits), from the definition.
    public func value(ofCode code: UInt8) -> Double {
        let c = Int(code) & (codeCount - 1)
        let sign = (c >> (width - 1)) & 1
        let e = (c >> mantissaBits) & ((1 << exponentBits) - 1)
        let m = c & ((1 << mantissaBits) - 1)
        let frac = Double(m) / Double(1 << mantissaBits)
        let magnitude = e == 0
            ? Double(sign: .plus, exponent: 1 - bias, significand: frac)
            : Double(sign: .plus, exponent: e - bias, significand: 1 + frac)
        return sign == 1 ? -magnitude : magnitude
    }
}

/// Geometry of the pre-packed weights: units of 16 rows × 128 columns, zero-padded at the edges.
public struct TCFPxGeometry: Hashable, Sendable {
    public let format: TCFPxFormat
    public let outFeatures: Int
    public let inFeatures: Int

    public static let unitRows = 16
    public static let unitColumns = 128

    public init(format: TCFPxFormat, outFeatures: Int, inFeatures: Int) throws {
        guard outFeatures > 0, inFeatures > 0 else {
            throw LowBitError.invalidArgument("shape", "TC-FPx weights need OC, IC > 0 (got \(outFeatures)×\(inFeatures))")
        }
        guard outFeatures <= Int(Int32.max) - 16, inFeatures <= Int(Int32.max) - 128 else {
            throw LowBitError.invalidArgument("shape", "TC-FPx weights \(outFeatures)×\(inFeatures) exceed 32-bit indexing")
        }
        self.format = format
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
    }

    /// 16-row tiles (M direction).
    public var rowTiles: Int { (outFeatures + 15) / 16 }
    /// 128-column units (K direction).
    public var columnTiles: Int { (inFeatures + 127) / 128 }
    /// Bytes of one 16×128 unit: 2048 codes of `width` bits.
    public var unitBytes: Int { 256 * format.width }
    public var packedByteCount: Int { rowTiles * columnTiles * unitBytes }
    /// Row tiles per block: one CTA of the kernel covers a block (128 rows).
    public static let blockRowTiles = 8

    /// Byte offset of unit (rowTile, columnTile). Units are stored block by block (8 row tiles); inside a block,
    /// column tile by column tile, with the block's row tiles side by side, so a CTA's pipeline stage (all its row
    /// tiles at one column tile) is one contiguous read. The last block may have fewer row tiles (no padding).
    @inline(__always) public func unitOffset(rowTile: Int, columnTile: Int) -> Int {
        let block = rowTile / Self.blockRowTiles, r = rowTile % Self.blockRowTiles
        let tilesInBlock = min(Self.blockRowTiles, rowTiles - block * Self.blockRowTiles)
        return (block * Self.blockRowTiles * columnTiles + columnTile * tilesInBlock + r) * unitBytes
    }

    /// Spaced layout (M ≤ 2): the kernel rebuilds each code as `s 0…0 E…E M…M 0…` with the E+M field already at
    /// FP16's exponent/mantissa position, so the FP16 cast is a mask. Dense layout (M = 3: the spaced byte would
    /// need 9 bits): `s E…E M…M 0…0`, cast by a shift. The same packed bytes serve FP16 and BF16 activations.
    public var isSpaced: Bool { format.mantissaBits <= 2 }

    /// One power-of-two segment of every code: `bits` wide, taken from code bits codeShift ..< codeShift + bits.
    public struct Segment: Hashable, Sendable {
        public let bits: Int
        public let codeShift: Int
        /// Byte offset of the segment's array inside a unit.
        public let arrayOffset: Int
        /// 1-bit planes: bytes per lane (8 or 16, planes interleaved) and this plane's offset in them.
        public let laneStride: Int
        public let laneOffset: Int
    }

    /// The segments, MSB of the code first. Unit order: 4-bit array (two 512-byte chunks of lane-interleaved
    /// uint4), 2-bit array (uint4 per lane), then the 1-bit planes (8 bytes per plane per lane, interleaved).
    public var segments: [Segment] {
        let w = format.width
        let has4, has2: Bool
        var ones: [Int] = []   // code shifts of the 1-bit planes, in lane order
        var pieces: [(bits: Int, shift: Int)] = []
        if isSpaced {
            let l = format.exponentBits + format.mantissaBits
            ones.append(l)                      // sign plane
            var top = l
            if l & 1 != 0 { top -= 1; ones.append(top); pieces.append((1, top)) }
            has2 = l & 2 != 0
            if has2 { top -= 2; pieces.append((2, top)) }
            has4 = l & 4 != 0
            if has4 { top -= 4; pieces.append((4, top)) }
            pieces.insert((1, l), at: 0)
        } else {
            var top = w
            if w & 1 != 0 { top -= 1; ones.append(top); pieces.append((1, top)) }
            has2 = w & 2 != 0
            if has2 { top -= 2; pieces.append((2, top)) }
            has4 = w & 4 != 0
            if has4 { top -= 4; pieces.append((4, top)) }
        }
        let offset2 = has4 ? 1024 : 0
        let offset1 = offset2 + (has2 ? 512 : 0)
        return pieces.map { piece in
            switch piece.bits {
            case 4: return Segment(bits: 4, codeShift: piece.shift, arrayOffset: 0, laneStride: 16, laneOffset: 0)
            case 2: return Segment(bits: 2, codeShift: piece.shift, arrayOffset: offset2, laneStride: 16, laneOffset: 0)
            default:
                let plane = ones.firstIndex(of: piece.shift)!
                return Segment(bits: 1, codeShift: piece.shift, arrayOffset: offset1, laneStride: 8 * ones.count,
                               laneOffset: 8 * plane)
            }
        }
    }

    /// Byte offset (inside a unit) of the 32-bit word holding (lane, group, byte)'s field of `segment`, and the
    /// field's bit shift in that word. 4-bit: word W4[G/2], bits 8b + 4·(1 − G%2)…; 2-bit: W2[G/4],
    /// bits 8b + 6 − 2·(G%4)…; 1-bit: W1[G/8], bit 8b + 7 − G%8.
    @inline(__always)
    public static func wordLocation(_ segment: Segment, lane: Int, group: Int, byte: Int) -> (offset: Int, shift: Int) {
        switch segment.bits {
        case 4:
            let i = group >> 1
            return (segment.arrayOffset + (i >> 2) * 512 + lane * 16 + (i & 3) * 4, 8 * byte + 4 * (1 - (group & 1)))
        case 2:
            return (segment.arrayOffset + lane * 16 + (group >> 2) * 4, 8 * byte + 6 - 2 * (group & 3))
        default:
            return (segment.arrayOffset + lane * segment.laneStride + segment.laneOffset + (group >> 3) * 4,
                    8 * byte + 7 - (group & 7))
        }
    }

    /// Where the value for (lane, group, byte) of a unit comes from: row and column offsets inside the unit.
    /// Lane ℓ = 4g + t; group G = 2j + h (k-step j, A registers a0/a1 for h = 0, a2/a3 for h = 1); byte b of the
    /// assembled register = [aP.hi, aQ.hi, aP.lo, aQ.lo] for b = 3…0. This is the gather form the packer uses;
    /// `location(rowInUnit:columnInUnit:)` is its inverse, written out separately for the tests.
    @inline(__always)
    public static func source(lane: Int, group: Int, byte: Int) -> (row: Int, column: Int) {
        let g = lane >> 2, t = lane & 3
        let j = group >> 1, h = group & 1
        let half = byte >> 1                     // bytes 3, 2: high halves; bytes 1, 0: low halves
        let rowHalf = (byte & 1) == 0 ? 1 : 0    // bytes 3, 1: register P (a0/a2, row g); 2, 0: Q (a1/a3, row g + 8)
        let row = g + 8 * rowHalf
        let column = 32 * (j >> 1) + 8 * t + 4 * (j & 1) + 2 * h + half
        return (row, column)
    }
}
