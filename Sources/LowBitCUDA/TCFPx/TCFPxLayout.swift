import LowBitCore

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

    /// fp6 = e3m2, fp5 = e2m2, fp4 = e2m1, fp3 = e1m1, and fpeXmY / eXmY for any supported pair.
    public init(name: String) throws {
        let n = name.lowercased()
        switch n {
        case "fp6": try self.init(exponentBits: 3, mantissaBits: 2)
        case "fp5": try self.init(exponentBits: 2, mantissaBits: 2)
        case "fp4": try self.init(exponentBits: 2, mantissaBits: 1)
        case "fp3": try self.init(exponentBits: 1, mantissaBits: 1)
        default:
            var body = Substring(n)
            if body.hasPrefix("fp") { body = body.dropFirst(2) }
            guard body.hasPrefix("e"), let mIndex = body.firstIndex(of: "m"),
                  let e = Int(body[body.index(after: body.startIndex)..<mIndex]),
                  let m = Int(body[body.index(after: mIndex)...])
            else {
                throw LowBitError.invalidArgument("format", "'\(name)' is not an FPx format (fp6, fp5, fp4, fpe3m2, fpe2m3, …)")
            }
            try self.init(exponentBits: e, mantissaBits: m)
        }
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
    /// Byte offset of unit (rowTile, columnTile).
    @inline(__always) public func unitOffset(rowTile: Int, columnTile: Int) -> Int {
        (rowTile * columnTiles + columnTile) * unitBytes
    }

    /// Byte offsets of the 4-, 2- and 1-bit segment arrays inside a unit (nil when absent).
    public var segment4Offset: Int? { format.width & 4 != 0 ? 0 : nil }
    public var segment2Offset: Int? { format.width & 2 != 0 ? (format.width & 4 != 0 ? 1024 : 0) : nil }
    public var segment1Offset: Int? {
        format.width & 1 != 0 ? (format.width & 4 != 0 ? 1024 : 0) + (format.width & 2 != 0 ? 512 : 0) : nil
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
