#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LowBitCore

/// NormalFloat (NF) code books: quantiles of the standard normal distribution scaled to [−1, 1]
/// (QLoRA, Dettmers et al., arXiv 2305.14314; FLUTE, arXiv 2407.10960).
///
/// NF4 is the published constant table (bitsandbytes `create_normal_map`, also hard-coded in FLUTE's
/// `flute/nf_utils.py`), reproduced bit for bit as Float32.
///
/// NF2, NF3 and NF5…NF8 use QLoRA's construction generalized to b bits (as in LoftQ's
/// `NFQuantizer.create_normal_map(num_bits=b)`), which FLUTE's `get_values_pivots` computes the same way:
/// with offset = 0.9677083 ≈ 1 − ½(1/32 + 1/30),
/// - positives: Φ⁻¹(p) for p = linspace(offset, 0.5, 2^(b−1) + 1) without its last point (2^(b−1) values),
/// - negatives: −Φ⁻¹(p) for p = linspace(offset, 0.5, 2^(b−1)) without its last point (2^(b−1) − 1 values),
/// - one exact 0, sorted ascending, divided by the largest value, so the table spans exactly −1 … 1.
/// As in the reference, the probabilities are Float32 `torch.linspace` points, Φ⁻¹ is evaluated in
/// Float64, and the values are rounded to Float32 before the Float32 division by the maximum.
/// For b = 4 this construction reproduces all 16 published NF4 constants bit for bit (checked by a test).
/// Results: NF3 ≈ {−1, −0.4786, −0.2171, 0, 0.1609, 0.3379, 0.5626, 1}, NF2 ≈ {−1, 0, 0.3379, 1}.
extension LookupTable {
    /// The QLoRA NF4 constants, ascending (code c ↦ nf4Values[c]).
    public static let nf4Values: [Float] = [
        -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
        -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
        0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
        0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
    ]

    public static let nf4: LookupTable = try! LookupTable(values: nf4Values, name: "nf4")
    public static let nf3: LookupTable = try! normalFloat(bits: 3)
    public static let nf2: LookupTable = try! normalFloat(bits: 2)

    /// NF table for b = 2…8 (b = 4 returns the published constants).
    public static func normalFloat(bits: Int) throws -> LookupTable {
        guard (2...8).contains(bits) else {
            throw LowBitError.invalidArgument("lookup table", "NormalFloat tables need 2…8 bits, not \(bits)")
        }
        if bits == 4, let nf4 = try? LookupTable(values: nf4Values, name: "nf4") { return nf4 }
        return try LookupTable(values: normalFloatConstruction(bits: bits), name: "nf\(bits)")
    }

    /// The QLoRA construction described above, for any b ≥ 2 (also b = 4, to check it against the constants).
    static func normalFloatConstruction(bits: Int) -> [Float] {
        let offset: Float = 0.9677083
        let half = 1 << (bits - 1)
        let positives = torchLinspace(offset, 0.5, half + 1).dropLast().map { Float(inverseNormalCDF(Double($0))) }
        let negatives = torchLinspace(offset, 0.5, half).dropLast().map { Float(-inverseNormalCDF(Double($0))) }
        var values = (positives + [0] + negatives).sorted()
        let top = values.last!
        for i in values.indices { values[i] /= top }
        return values
    }

    /// Float32 `torch.linspace(start, end, steps)` as ATen computes it: step = (end − start)/(steps − 1);
    /// the first half counts up from start, the second half down from end.
    static func torchLinspace(_ start: Float, _ end: Float, _ steps: Int) -> [Float] {
        if steps == 1 { return [start] }
        let step = (end - start) / Float(steps - 1)
        let halfway = steps / 2
        return (0..<steps).map { i in
            i < halfway ? start + step * Float(i) : end - step * Float(steps - i - 1)
        }
    }
}

/// Φ⁻¹(p), the standard normal quantile, to about full Float64 precision: Acklam's rational
/// approximation (relative error < 1.2e−9) refined by one Halley step on Φ(x) = erfc(−x/√2)/2.
func inverseNormalCDF(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "inverseNormalCDF needs 0 < p < 1")
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
             6.680131188771972e+01, -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    var x: Double
    if p < low {
        let q = (-2 * log(p)).squareRoot()
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    } else if p <= 1 - low {
        let q = p - 0.5, r = q * q
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    } else {
        let q = (-2 * log(1 - p)).squareRoot()
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    for _ in 0..<2 {
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
    }
    return x
}
