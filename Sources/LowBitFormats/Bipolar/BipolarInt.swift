import LowBitCore

/// Bipolar-INT (Ma et al., arXiv 2409.17870): an n-bit code (n = 1…8) whose bits are read as ±1 rather
/// than 0/1, giving the odd, symmetric grid ±1, ±3, …, ±(2^n − 1) with no zero.
///
/// - code c ∈ [0, 2^n) ↔ value x = 2c − (2^n − 1);
/// - bit-planes: with b_i the i-th bit of c, x = Σ_i 2^i · (2·b_i − 1) (no constant term);
/// - a signed INT x̂ ∈ [−2^(n−1), 2^(n−1) − 1] maps losslessly to x = 2x̂ + 1, i.e. c = x̂ + 2^(n−1)
///   (the offset-binary pattern of x̂).
public enum BipolarInt {
    /// 2c − (2^n − 1).
    @inlinable
    public static func value(code: UInt8, bits: Int) -> Int {
        2 * Int(code) - ((1 << bits) - 1)
    }

    /// The code of an odd value in ±(2^n − 1), or nil when the value is not on the n-bit grid.
    public static func code(value: Int, bits: Int) -> UInt8? {
        let top = (1 << bits) - 1
        guard (1...8).contains(bits), value & 1 == 1 || value & 1 == -1, abs(value) <= top else { return nil }
        return UInt8((value + top) / 2)
    }

    /// x' = 2x̂ + 1: the bipolar value of a signed integer.
    @inlinable
    public static func value(signedInt x: Int) -> Int { 2 * x + 1 }

    /// c = x̂ + 2^(n−1), or nil when x̂ is outside [−2^(n−1), 2^(n−1) − 1].
    public static func code(signedInt x: Int, bits: Int) -> UInt8? {
        guard (1...8).contains(bits), x >= -(1 << (bits - 1)), x < (1 << (bits - 1)) else { return nil }
        return UInt8(x + (1 << (bits - 1)))
    }

    /// The ±1 digit of bit-plane i: 2·b_i − 1.
    @inlinable
    public static func planeDigit(code: UInt8, plane: Int) -> Int {
        2 * Int((code >> UInt8(plane)) & 1) - 1
    }

    /// Σ_i 2^i · digits[i]: recombines ±1 plane digits (least significant plane first) into the value.
    public static func recombine(digits: [Int]) -> Int {
        var sum = 0
        for (i, d) in digits.enumerated() {
            precondition(d == 1 || d == -1, "bipolar plane digits are ±1")
            sum += d << i
        }
        return sum
    }

    /// Nearest grid point to q (a weight already divided by its scale), saturating at ±(2^n − 1).
    /// The nearest odd integer is 2⌊q/2⌋ + 1, so ties (q an even integer, including 0) go toward +∞:
    /// 0 → +1, 2 → +3, −2 → −1. NaN encodes like 0.
    @inlinable
    public static func encode(_ q: Float, bits: Int) -> UInt8 {
        let limit = Float(1 << bits)
        let clamped = q.isNaN ? 0 : Swift.min(Swift.max(q, -limit), limit)
        let k = Int((clamped * 0.5).rounded(.down))
        return UInt8(Swift.min(Swift.max(k + (1 << (bits - 1)), 0), (1 << bits) - 1))
    }
}

struct BipolarEncoder: ScaledValueEncoder {
    let bits: Int
    func encode(_ src: UnsafePointer<Float>, count: Int, scale: Float, into dst: UnsafeMutablePointer<UInt8>) {
        for i in 0..<count { dst[i] = BipolarInt.encode(src[i] / scale, bits: bits) }
    }
}

func checkBits(_ bits: Int, _ range: ClosedRange<Int>, _ what: String) throws {
    guard range.contains(bits) else {
        throw LowBitError.invalidArgument(what, "\(bits) bits is outside \(range.lowerBound)…\(range.upperBound)")
    }
}
