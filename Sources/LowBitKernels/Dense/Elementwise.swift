import Foundation
#if arch(x86_64) && os(Linux)
import _Builtin_intrinsics.intel
#endif

/// The small per-vector operations of a transformer block. All work on one vector (or a few heads) at a
/// time; the model parallelizes over tokens and heads around them.
public enum Elementwise {
    /// out[i] = x[i] / sqrt(mean(x²) + eps) · weight[i]. The mean of squares accumulates in Double so long
    /// rows with large values do not lose precision. `out` may alias `x`.
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, eps: Float,
                               count n: Int, out: UnsafeMutablePointer<Float>) {
        var sum = 0.0
        var i = 0
        var acc = SIMD8<Float>()
        while i + 8 <= n {
            let v = load8(x + i)
            acc.addProduct(v, v)
            i += 8
            if i % 256 == 0 { sum += Double(acc.sum()); acc = SIMD8<Float>() }
        }
        sum += Double(acc.sum())
        while i < n { sum += Double(x[i]) * Double(x[i]); i += 1 }
        let scale = Float(1.0 / (sum / Double(n) + Double(eps)).squareRoot())
        let sv = SIMD8<Float>(repeating: scale)
        i = 0
        while i + 8 <= n {
            store8(load8(x + i) * sv * load8(weight + i), out + i)
            i += 8
        }
        while i < n { out[i] = x[i] * scale * weight[i]; i += 1 }
    }

    /// In-place softmax over x[0..<n], max-subtracted; returns the sum of exponentials (before division).
    @discardableResult
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count n: Int) -> Float {
        guard n > 0 else { return 0 }
        var mv = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        while i + 8 <= n { mv = max8(mv, load8(x + i)); i += 8 }
        var m = mv[0]
        for k in 1..<8 { m = max(m, mv[k]) }
        while i < n { m = max(m, x[i]); i += 1 }
        let mb = SIMD8<Float>(repeating: m)
        var sv = SIMD8<Float>()
        i = 0
        while i + 8 <= n {
            let e = exp8(load8(x + i) - mb)
            store8(e, x + i)
            sv += e
            i += 8
        }
        var sum = sv.sum()
        if i < n {
            let e = exp8(partial8(x + i, n - i, fill: -.infinity) - mb)
            for k in 0..<(n - i) { x[i + k] = e[k]; sum += e[k] }
        }
        let inv = SIMD8<Float>(repeating: 1 / sum)
        i = 0
        while i + 8 <= n { store8(load8(x + i) * inv, x + i); i += 8 }
        while i < n { x[i] *= inv[0]; i += 1 }
        return sum
    }

    /// gate[i] = silu(gate[i]) · up[i] with silu(g) = g / (1 + e^-g): SwiGLU's activation.
    public static func siluMultiply(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count n: Int) {
        var i = 0
        while i + 8 <= n {
            let g = load8(gate + i)
            store8(g / (1 + exp8(-g)) * load8(up + i), gate + i)
            i += 8
        }
        if i < n {
            let g = partial8(gate + i, n - i, fill: 0)
            let v = g / (1 + exp8(-g))
            for k in 0..<(n - i) { gate[i + k] = v[k] * up[i + k] }
        }
    }

    /// e^x for 8 lanes (Cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, degree-7 polynomial, 2^n through the exponent
    /// bits; within 2 ulp of the correctly rounded value on [-87, 88.7]). x is clamped to [-87.3, 88.8] first:
    /// below, the result is ~1.2e-38 instead of 0; above, +inf; NaN stays NaN (the clamps keep their NaN
    /// operand). The decode step's ~80 000 scalar expf calls (SwiGLU, attention softmax) took ~3 % of it.
    @inline(__always)
    public static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64) && os(Linux)
        // vmaxps/vminps return the second operand when either is NaN.
        let clamped = _mm256_min_ps(SIMD8(repeating: 88.8), _mm256_max_ps(SIMD8(repeating: -87.3), x))
        let ni = _mm256_cvtps_epi32(_mm256_mul_ps(clamped, SIMD8(repeating: 1.44269504088896341)))  // nearest even
        let n = _mm256_cvtepi32_ps(ni), clampedV = clamped
        #else
        let clampedV = x.replacing(with: -87.3, where: x .< -87.3).replacing(with: 88.8, where: x .> 88.8)
        let n = (clampedV * 1.44269504088896341).rounded(.toNearestOrEven)
        #endif
        var r = clampedV - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p = SIMD8<Float>(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        // 2^n = 2^a·2^b with a = n >> 1, b = n - a: n is in [-126, 128], so both are normal Floats.
        #if arch(x86_64) && os(Linux)
        let a = _mm256_srai_epi32(ni, 1), b = _mm256_sub_epi32(ni, a), bias = _mm256_set1_epi32(127)
        let scaleA = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(a, bias), 23))
        let scaleB = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(b, bias), 23))
        #else
        let ni = SIMD8<Int32>(truncatingIfNeeded: SIMD8<Int64>(n, rounding: .towardZero))
        let a = ni &>> 1, b = ni &- a
        let scaleA = unsafeBitCast((a &+ 127) &<< 23, to: SIMD8<Float>.self)
        let scaleB = unsafeBitCast((b &+ 127) &<< 23, to: SIMD8<Float>.self)
        #endif
        let result = p * scaleA * scaleB
        #if !(arch(x86_64) && os(Linux))
        return result.replacing(with: x, where: x .!= x)
        #else
        return result
        #endif
    }

    @inline(__always)
    static func max8(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64) && os(Linux)
        _mm256_max_ps(a, b)
        #else
        a.replacing(with: b, where: b .> a)
        #endif
    }

    /// count < 8 Floats from p, the other lanes `fill`.
    @inline(__always)
    static func partial8(_ p: UnsafePointer<Float>, _ count: Int, fill: Float) -> SIMD8<Float> {
        var v = SIMD8<Float>(repeating: fill)
        for k in 0..<count { v[k] = p[k] }
        return v
    }

    /// y[i] += x[i]
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + 8 <= n {
            store8(load8(UnsafePointer(y + i)) + load8(x + i), y + i)
            i += 8
        }
        while i < n { y[i] += x[i]; i += 1 }
    }
}

/// How the two halves of each rotated pair sit inside a head vector.
public enum RoPELayout: String, Sendable, Equatable {
    /// Adjacent pairs (2i, 2i+1) rotate together: GGUF llama files (the converter permutes q/k for this).
    case interleaved
    /// Pairs (i, i + rotaryDim/2) rotate together: Hugging Face `rotate_half` (GPT-NeoX style).
    case halfSplit
}

public enum RoPE {
    /// Rotates `heads` head vectors of `headDim` floats (contiguous, head after head) in place by the angles
    /// whose cosines and sines are given for each of the rotaryDim/2 pairs. Dimensions past rotaryDim stay.
    public static func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headDim: Int, rotaryDim: Int,
                             cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, layout: RoPELayout) {
        let half = rotaryDim / 2
        for h in 0..<heads {
            let v = x + h * headDim
            switch layout {
            case .interleaved:
                for i in 0..<half {
                    let a = v[2 * i], b = v[2 * i + 1]
                    v[2 * i] = a * cos[i] - b * sin[i]
                    v[2 * i + 1] = a * sin[i] + b * cos[i]
                }
            case .halfSplit:
                for i in 0..<half {
                    let a = v[i], b = v[i + half]
                    v[i] = a * cos[i] - b * sin[i]
                    v[i + half] = a * sin[i] + b * cos[i]
                }
            }
        }
    }

    /// cos/sin of position · invFrequency[i] for each pair, computed in Double (positions reach 10⁵ and
    /// Float angles would lose the low frequencies' precision).
    public static func angles(position: Double, inverseFrequencies: [Double],
                              cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        for (i, f) in inverseFrequencies.enumerated() {
            let a = position * f
            cos[i] = Float(Foundation.cos(a))
            sin[i] = Float(Foundation.sin(a))
        }
    }
}
