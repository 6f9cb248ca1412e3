#if arch(x86_64) && os(Linux)
import _Builtin_intrinsics.intel
#endif

/// One query head attending over cached keys and values (Float), the inner loop of causal attention.
///
/// Per position j the naive loop is a 64-element dot product with its own horizontal sum, and an axpy that
/// loads and stores the whole output row; at a few hundred positions × 9 heads × 30 layers that was ~15 % of a
/// decode step (docs/cpu-kernels.md, v9). Here 8 positions are scored together (8 accumulators reduced to one
/// vector of 8 scores with a vhaddps tree) and the output stays in registers, 32 elements at a time, while
/// the weighted values of all positions are added.
public enum Attention {
    /// out[0..<headDim] = Σ_{j<count} p_j · v_j with p = softmax(scale · q·k_j); k_j = keys + j·stride,
    /// v_j = values + j·stride. `scores` holds `count` Floats of scratch (left holding p).
    public static func attend(query q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                              stride: Int, count n: Int, headDim hd: Int, scale: Float,
                              scores s: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        var j = 0
        if hd % 8 == 0 {
            let sv = SIMD8<Float>(repeating: scale)
            while j + 8 <= n {
                let k = keys + j * stride
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()
                var c = 0
                while c < hd {
                    let qc = load8(q + c), kc = k + c
                    a0.addProduct(qc, load8(kc))
                    a1.addProduct(qc, load8(kc + stride))
                    a2.addProduct(qc, load8(kc + 2 * stride))
                    a3.addProduct(qc, load8(kc + 3 * stride))
                    a4.addProduct(qc, load8(kc + 4 * stride))
                    a5.addProduct(qc, load8(kc + 5 * stride))
                    a6.addProduct(qc, load8(kc + 6 * stride))
                    a7.addProduct(qc, load8(kc + 7 * stride))
                    c += 8
                }
                store8(sums8(a0, a1, a2, a3, a4, a5, a6, a7) * sv, s + j)
                j += 8
            }
        }
        while j < n {
            s[j] = dot(q, keys + j * stride, hd) * scale
            j += 1
        }
        Elementwise.softmax(s, count: n)

        var c = 0
        while c + 32 <= hd {
            var o0 = SIMD8<Float>(), o1 = SIMD8<Float>(), o2 = SIMD8<Float>(), o3 = SIMD8<Float>()
            var v = values + c
            for j in 0..<n {
                let w = SIMD8<Float>(repeating: s[j])
                o0.addProduct(w, load8(v))
                o1.addProduct(w, load8(v + 8))
                o2.addProduct(w, load8(v + 16))
                o3.addProduct(w, load8(v + 24))
                v += stride
            }
            store8(o0, out + c); store8(o1, out + c + 8); store8(o2, out + c + 16); store8(o3, out + c + 24)
            c += 32
        }
        while c + 8 <= hd {
            var o = SIMD8<Float>()
            for j in 0..<n { o.addProduct(SIMD8<Float>(repeating: s[j]), load8(values + j * stride + c)) }
            store8(o, out + c)
            c += 8
        }
        while c < hd {
            var o: Float = 0
            for j in 0..<n { o += s[j] * values[j * stride + c] }
            out[c] = o
            c += 1
        }
    }

    /// (a0.sum(), a1.sum(), …, a7.sum()).
    @inline(__always)
    static func sums8(_ a0: SIMD8<Float>, _ a1: SIMD8<Float>, _ a2: SIMD8<Float>, _ a3: SIMD8<Float>,
                      _ a4: SIMD8<Float>, _ a5: SIMD8<Float>, _ a6: SIMD8<Float>, _ a7: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64) && os(Linux)
        let t0 = _mm256_hadd_ps(a0, a1), t1 = _mm256_hadd_ps(a2, a3)
        let t2 = _mm256_hadd_ps(a4, a5), t3 = _mm256_hadd_ps(a6, a7)
        // u0 lanes: a0 a1 a2 a3 (low half of each) | a0 a1 a2 a3 (high half); u1 the same for a4…a7.
        let u0 = SIMD8<Float>(_mm256_hadd_ps(t0, t1)), u1 = SIMD8<Float>(_mm256_hadd_ps(t2, t3))
        return SIMD8<Float>(lowHalf: u0.lowHalf + u0.highHalf, highHalf: u1.lowHalf + u1.highHalf)
        #else
        return SIMD8<Float>(a0.sum(), a1.sum(), a2.sum(), a3.sum(), a4.sum(), a5.sum(), a6.sum(), a7.sum())
        #endif
    }
}
