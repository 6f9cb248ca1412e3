#if arch(x86_64) && os(Linux)
import _Builtin_intrinsics.intel
#endif

/// One activation vector quantized in blocks of 32, so that a decode matvec over Q4_1/Q8_0 weights multiplies
/// integers instead of converting every weight to Float. Two codings of the same vector:
///   int16: x_i ≈ scale_b · q_i,  scale_b = max|x_b| / 32767  (error ≤ 1.5e-5 of the block max; Q8_0 kernel)
///   int8 + residual: x_i ≈ scale8_b · (q_i + r_i / 127), scale8_b = max|x_b| / 127, q_i = round(x_i/scale8_b)
///          and r_i = round(127·(x_i/scale8_b − q_i)) ∈ [-64, 64], both int8 (error ≤ 3.1e-5 of the block max;
///          Q4_1 kernel: vpmaddubsw multiplies 32 codes per instruction, once with q and once with r).
/// int8 alone (llama.cpp's Q8_1, error ≤ 4e-3 of the block max; v7 in docs/cpu-kernels.md) moved the default
/// model's decode logits by up to ~3 against the Float prompt path (KL up to 0.06 per token); the residual
/// costs ~5 % of a Q4_1 matvec from memory (v13) and brings decode to the prompt path's accuracy.
///
/// `sums[b]` is the exact Σ x_i of block b (in Float, not from the rounded q): Q4_1's offset term m·Σ x_i then
/// carries no activation rounding at all. The vector is quantized once per matvec and read by every row.
public struct DecodeActivations: ~Copyable {
    public let blocks: Int
    /// blocks × 32 codes.
    public let codes: UnsafeMutablePointer<Int16>
    public let scales: UnsafeMutablePointer<Float>
    public let sums: UnsafeMutablePointer<Float>

    /// Per block: 32 int8 codes q, then 32 int8 residual codes r; and the scales scale8_b.
    public let codes8: UnsafeMutablePointer<Int8>
    public let scales8: UnsafeMutablePointer<Float>

    public static let codeLimit: Float = 32767
    public static let codeLimit8: Float = 127

    /// Quantizes `cols` Floats (a multiple of 32).
    public init(_ x: UnsafePointer<Float>, cols: Int) {
        precondition(cols % 32 == 0, "int16 activations need a multiple of 32 values")
        blocks = cols / 32
        codes = .allocate(capacity: max(32, cols))
        scales = .allocate(capacity: max(1, blocks))
        sums = .allocate(capacity: max(1, blocks))
        codes8 = .allocate(capacity: max(64, 2 * cols))
        scales8 = .allocate(capacity: max(1, blocks))
        for b in 0..<blocks {
            let xb = x + b * 32
            let v0 = load8(xb), v1 = load8(xb + 8), v2 = load8(xb + 16), v3 = load8(xb + 24)
            sums[b] = ((v0 + v1) + (v2 + v3)).sum()
            #if arch(x86_64) && os(Linux)
            // The generic SIMD conversions (init(_:rounding:), pointwiseMax) are not specialized here and cost
            // more than the matvec's dot products; the intrinsics are single instructions.
            let a0 = _mm256_max_ps(v0, _mm256_sub_ps(_mm256_setzero_ps(), v0))
            let a1 = _mm256_max_ps(v1, _mm256_sub_ps(_mm256_setzero_ps(), v1))
            let a2 = _mm256_max_ps(v2, _mm256_sub_ps(_mm256_setzero_ps(), v2))
            let a3 = _mm256_max_ps(v3, _mm256_sub_ps(_mm256_setzero_ps(), v3))
            // Horizontal max with vmaxps/vmovhlps/vmovshdup (SIMD8.max() is an unspecialized call here, ~2 % of a
            // decode step on the calling thread).
            let a = _mm256_max_ps(_mm256_max_ps(a0, a1), _mm256_max_ps(a2, a3))
            let h = _mm_max_ps(a.lowHalf, a.highHalf), h2 = _mm_max_ps(h, _mm_movehl_ps(h, h))
            let amax = _mm_max_ss(h2, _mm_movehdup_ps(h2))[0]
            let inverse: Float = amax > 0 ? Self.codeLimit / amax : 0
            scales[b] = amax / Self.codeLimit
            let k = _mm256_set1_ps(inverse)
            // vcvtps2dq rounds to nearest even (default MXCSR); vpackssdw packs within 128-bit lanes, vpermd
            // puts the 16 codes back in order.
            let order = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7)
            let lo = _mm256_packs_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(v0, k)), _mm256_cvtps_epi32(_mm256_mul_ps(v1, k)))
            let hi = _mm256_packs_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(v2, k)), _mm256_cvtps_epi32(_mm256_mul_ps(v3, k)))
            let q = UnsafeMutableRawPointer(codes + b * 32)
            q.storeBytes(of: _mm256_permutevar8x32_epi32(lo, order), as: __m256i.self)
            (q + 32).storeBytes(of: _mm256_permutevar8x32_epi32(hi, order), as: __m256i.self)
            // int8: vpackssdw then vpacksswb interleave four vectors' 4-lane groups per 128-bit lane. The
            // residual: t − round(t) is exact in Float (|t| ≤ 127), times 127, rounded.
            let inverse8: Float = amax > 0 ? Self.codeLimit8 / amax : 0
            scales8[b] = amax / Self.codeLimit8
            let k8 = _mm256_set1_ps(inverse8), k127 = _mm256_set1_ps(127)
            let t0 = _mm256_mul_ps(v0, k8), t1 = _mm256_mul_ps(v1, k8), t2 = _mm256_mul_ps(v2, k8), t3 = _mm256_mul_ps(v3, k8)
            let q0 = _mm256_cvtps_epi32(t0), q1 = _mm256_cvtps_epi32(t1), q2 = _mm256_cvtps_epi32(t2), q3 = _mm256_cvtps_epi32(t3)
            let byteOrder = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)
            let bytes = _mm256_packs_epi16(_mm256_packs_epi32(q0, q1), _mm256_packs_epi32(q2, q3))
            UnsafeMutableRawPointer(codes8 + b * 64).storeBytes(of: _mm256_permutevar8x32_epi32(bytes, byteOrder), as: __m256i.self)
            func residual(_ t: __m256, _ q: __m256i) -> __m256i {
                _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_sub_ps(t, _mm256_cvtepi32_ps(q)), k127))
            }
            let rbytes = _mm256_packs_epi16(_mm256_packs_epi32(residual(t0, q0), residual(t1, q1)),
                                            _mm256_packs_epi32(residual(t2, q2), residual(t3, q3)))
            UnsafeMutableRawPointer(codes8 + b * 64 + 32).storeBytes(of: _mm256_permutevar8x32_epi32(rbytes, byteOrder), as: __m256i.self)
            #else
            var amax: Float = 0
            for i in 0..<32 { amax = max(amax, abs(xb[i])) }
            let inverse: Float = amax > 0 ? Self.codeLimit / amax : 0
            scales[b] = amax / Self.codeLimit
            for i in 0..<32 { codes[b * 32 + i] = Int16((xb[i] * inverse).rounded(.toNearestOrEven)) }
            let inverse8: Float = amax > 0 ? Self.codeLimit8 / amax : 0
            scales8[b] = amax / Self.codeLimit8
            for i in 0..<32 {
                let t = xb[i] * inverse8, q = t.rounded(.toNearestOrEven)
                codes8[b * 64 + i] = Int8(q)
                codes8[b * 64 + 32 + i] = Int8(((t - q) * 127).rounded(.toNearestOrEven))
            }
            #endif
        }
    }

    deinit {
        codes.deallocate()
        scales.deallocate()
        sums.deallocate()
        codes8.deallocate()
        scales8.deallocate()
    }
}
