import LowBitCore

/// A small floating-point format `eXmY` as used by TC-FPx (FP6-LLM): bit layout `[sign | E exponent bits |
/// M mantissa bits]`, MSB first, in the low 1+E+M bits of a byte.
///
/// - bias = 2^(E−1) − 1; exponent field e > 0 is normal, (−1)^s · 2^(e−bias) · (1 + m/2^M);
///   e = 0 is subnormal, (−1)^s · 2^(1−bias) · m/2^M.
/// - No infinities or NaNs: the all-ones exponent is an ordinary binade (as in qtorch, torchao and fp6_llm),
///   so max = 2^(2^E − 1 − bias) · (2 − 2^−M). Both ±0 exist.
/// - Any E ≥ 1, M ≥ 0 with 1 + E + M ≤ 8 (FP6 e3m2/e2m3, FP5 e2m2/e3m1, FP4 e2m1, FP3 e2m0/e1m1, …).
///
/// `encode` rounds a Float32 to the nearest value, ties to the even code (the code whose lowest bit is 0,
/// which is IEEE round-half-even on the bit pattern; for M = 0 it picks the even exponent field), keeps the
/// sign (tiny negatives give −0), and saturates |x| ≥ max (including ±infinity) to ±max. NaN encodes as +0;
/// the matrix quantizers reject NaN before encoding.
public struct FPxFormat: Sendable, Hashable, CustomStringConvertible {
    /// E, the exponent field width.
    public let exponentBits: Int
    /// M, the mantissa field width.
    public let mantissaBits: Int
    /// 2^bitWidth decoded values indexed by code (both zeros, subnormals, normals; negatives in the upper half).
    public let decodeTable: [Float]
    /// The largest finite value, 2^(2^E − 1 − bias) · (2 − 2^−M).
    public let maxValue: Float

    /// Throws `invalidArgument` unless E ≥ 1, M ≥ 0 and 1 + E + M ≤ 8.
    public init(exponentBits: Int, mantissaBits: Int) throws {
        guard exponentBits >= 1, mantissaBits >= 0, 1 + exponentBits + mantissaBits <= 8 else {
            throw LowBitError.invalidArgument(
                "FPx format", "e\(exponentBits)m\(mantissaBits) needs E ≥ 1, M ≥ 0 and 1 + E + M ≤ 8")
        }
        self.exponentBits = exponentBits
        self.mantissaBits = mantissaBits
        let bias = (1 << (exponentBits - 1)) - 1
        var table = [Float](repeating: 0, count: 1 << (1 + exponentBits + mantissaBits))
        let half = table.count / 2
        for code in 0..<half {
            let e = code >> mantissaBits, m = code & ((1 << mantissaBits) - 1)
            let significand = e == 0 ? Double(m) / Double(1 << mantissaBits)
                                     : 1 + Double(m) / Double(1 << mantissaBits)
            let value = Float(significand * Double.pow2(e == 0 ? 1 - bias : e - bias))
            table[code] = value
            table[code + half] = -value
        }
        decodeTable = table
        maxValue = table[half - 1]
    }

    /// Parses "fp6" (= e3m2), "fp5" (= e2m2), "fp4" (= e2m1), or "fpeXmY" / "eXmY" (case-insensitive).
    public init(parsing name: String) throws {
        let t = name.lowercased()
        switch t {
        case "fp6": try self.init(exponentBits: 3, mantissaBits: 2)
        case "fp5": try self.init(exponentBits: 2, mantissaBits: 2)
        case "fp4": try self.init(exponentBits: 2, mantissaBits: 1)
        default:
            var body = Substring(t)
            if body.hasPrefix("fp") { body = body.dropFirst(2) }
            guard body.hasPrefix("e"), let mIndex = body.firstIndex(of: "m"),
                  let e = Int(body[body.index(after: body.startIndex)..<mIndex]),
                  let m = Int(body[body.index(after: mIndex)...])
            else {
                throw LowBitError.invalidArgument(
                    "FPx format", "'\(name)' is not fp6, fp5, fp4 or fpeXmY (for example fpe3m2)")
            }
            try self.init(exponentBits: e, mantissaBits: m)
        }
    }

    public static func == (a: FPxFormat, b: FPxFormat) -> Bool {
        a.exponentBits == b.exponentBits && a.mantissaBits == b.mantissaBits
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(exponentBits)
        hasher.combine(mantissaBits)
    }

    /// 1 + E + M.
    public var bitWidth: Int { 1 + exponentBits + mantissaBits }
    /// 2^(E−1) − 1.
    public var bias: Int { (1 << (exponentBits - 1)) - 1 }
    /// Smallest positive normal value, 2^(1−bias).
    public var minNormal: Float { Float(Double.pow2(1 - bias)) }
    /// Smallest positive value, 2^(1−bias−M) (equal to `minNormal` when M = 0: there are no subnormals).
    public var minSubnormal: Float { Float(Double.pow2(1 - bias - mantissaBits)) }
    /// "e3m2".
    public var name: String { "e\(exponentBits)m\(mantissaBits)" }
    /// "FP6 e3m2".
    public var description: String { "FP\(bitWidth) \(name)" }

    /// The decoded value of a code (only the low `bitWidth` bits are used).
    @inlinable
    public func decode(_ code: UInt8) -> Float {
        decodeTable[Int(code) & (decodeTable.count - 1)]
    }

    /// Nearest code to `x` (ties to the even code, saturating to ±max; see the type's documentation).
    @inlinable
    public func encode(_ x: Float) -> UInt8 {
        Self.encode(x, exponentBits: exponentBits, mantissaBits: mantissaBits, maxValue: maxValue)
    }

    /// Rounds on the Float32 bit pattern, which is IEEE round-half-even and therefore "ties to the even
    /// code": normals by adding half an FPx ulp (minus one, plus the kept LSB) to the pattern and
    /// re-biasing the exponent; subnormals by adding 2^(24 − bias − M), whose Float32 ulp is the FPx
    /// subnormal step, so the FPU does the rounding. Both carry into the next binade by themselves.
    @inlinable @inline(__always)
    static func encode(_ x: Float, exponentBits: Int, mantissaBits: Int, maxValue: Float) -> UInt8 {
        let magnitudeBits = UInt32(truncatingIfNeeded: exponentBits + mantissaBits)
        let sign = (x.bitPattern >> 31) << magnitudeBits
        let a = x.magnitude
        let bias = UInt32(truncatingIfNeeded: (1 << (exponentBits - 1)) - 1)
        let m = UInt32(truncatingIfNeeded: mantissaBits)
        let magnitude: UInt32
        if !(a < maxValue) {
            if a.isNaN { return 0 }
            magnitude = (1 << magnitudeBits) &- 1
        } else if a.bitPattern >= (128 &- bias) << 23 {        // a ≥ 2^(1−bias): normal
            let b = a.bitPattern
            let rounded = b &+ ((1 << (22 &- m)) &- 1) &+ ((b >> (23 &- m)) & 1)
            magnitude = (rounded >> (23 &- m)) &- ((127 &- bias) << m)
        } else {                                                // subnormal binade
            let magic = Float(bitPattern: (151 &- bias &- m) << 23)
            magnitude = (a + magic).bitPattern &- magic.bitPattern
        }
        return UInt8(truncatingIfNeeded: sign | magnitude)
    }
}

extension Double {
    /// 2^k, exact for the exponents FPx formats use.
    @usableFromInline
    static func pow2(_ k: Int) -> Double { Double(sign: .plus, exponent: k, significand: 1) }
}
