import Foundation

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
        var m = -Float.infinity
        for i in 0..<n where x[i] > m { m = x[i] }
        var sum: Float = 0
        for i in 0..<n {
            let e = expf(x[i] - m)
            x[i] = e
            sum += e
        }
        let inv = 1 / sum
        for i in 0..<n { x[i] *= inv }
        return sum
    }

    /// gate[i] = silu(gate[i]) · up[i] with silu(g) = g / (1 + e^-g): SwiGLU's activation.
    public static func siluMultiply(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
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
