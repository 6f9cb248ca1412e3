/// The register tile of every multi-token matmul: 4 weight rows × 2 tokens per pass, 8 SIMD8 accumulators,
/// so each loaded weight vector feeds 2 FMAs and each activation vector 4 (the single-row dot is load-bound).
enum MatmulTile {
    /// y[t·ldy + i] = Σ_c w[i·cols + c] · x[t·cols + c] for i < rowCount (1…4) and t < tokens.
    static func rows4(_ w: UnsafePointer<Float>, rowCount nr: Int, cols: Int, x: UnsafePointer<Float>, tokens: Int,
                      y: UnsafeMutablePointer<Float>, ldy: Int) {
        // Missing rows alias the last real one; their results are not stored.
        let w0 = w, w1 = w + min(1, nr - 1) * cols, w2 = w + min(2, nr - 1) * cols, w3 = w + min(3, nr - 1) * cols
        let main = cols & ~7
        var t = 0
        while t + 2 <= tokens {
            let xa = x + t * cols, xb = xa + cols
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            var b0 = SIMD8<Float>(), b1 = SIMD8<Float>(), b2 = SIMD8<Float>(), b3 = SIMD8<Float>()
            var c = 0
            while c < main {
                let va = load8(xa + c), vb = load8(xb + c)
                let q0 = load8(w0 + c), q1 = load8(w1 + c), q2 = load8(w2 + c), q3 = load8(w3 + c)
                a0.addProduct(q0, va); b0.addProduct(q0, vb)
                a1.addProduct(q1, va); b1.addProduct(q1, vb)
                a2.addProduct(q2, va); b2.addProduct(q2, vb)
                a3.addProduct(q3, va); b3.addProduct(q3, vb)
                c += 8
            }
            var ra = SIMD4<Float>(a0.sum(), a1.sum(), a2.sum(), a3.sum())
            var rb = SIMD4<Float>(b0.sum(), b1.sum(), b2.sum(), b3.sum())
            while c < cols {
                let q = SIMD4<Float>(w0[c], w1[c], w2[c], w3[c])
                ra += q * xa[c]
                rb += q * xb[c]
                c += 1
            }
            for i in 0..<nr {
                y[t * ldy + i] = ra[i]
                y[(t + 1) * ldy + i] = rb[i]
            }
            t += 2
        }
        if t < tokens {
            let xa = x + t * cols
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            var c = 0
            while c < main {
                let va = load8(xa + c)
                a0.addProduct(load8(w0 + c), va)
                a1.addProduct(load8(w1 + c), va)
                a2.addProduct(load8(w2 + c), va)
                a3.addProduct(load8(w3 + c), va)
                c += 8
            }
            var ra = SIMD4<Float>(a0.sum(), a1.sum(), a2.sum(), a3.sum())
            while c < cols {
                ra += SIMD4<Float>(w0[c], w1[c], w2[c], w3[c]) * xa[c]
                c += 1
            }
            for i in 0..<nr { y[t * ldy + i] = ra[i] }
        }
    }
}
