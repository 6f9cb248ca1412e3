#if arch(x86_64) && os(Linux)
import _Builtin_intrinsics.intel
#endif

/// Dot products of GGML weight rows with quantized activations (one decode token), in integers.
///
/// Per block of 32 (codes and scales from `DecodeActivations`):
///   Q4_1 (d, m, nibbles q_w) × int8 codes:  Σ (d·q_w + m)·x ≈ d·scale8_x·Σ q_w·q8_x + m·Σx   (Σx exact)
///   Q8_0 (d, int8 q_w) × int16 codes:       Σ d·q_w·x ≈ d·scale_x·Σ q_w·q_x
/// On x86-64 (AVX2, guaranteed by -march=x86-64-v3 in Package.swift): Q4_1 with vpmaddubsw + vpmaddwd; Q8_0
/// widens the weights to int16 (vpmovsxbw) and multiplies with vpmaddwd into int32 (exact: |Σ| < 2^31); then
/// one vcvtdq2ps and one FMA per block, instead of ~25 instructions per 32 weights converting each weight to
/// Float. Swift's SIMD types do not lower to vpmaddwd, so the clang intrinsics are imported
/// directly. Other architectures run the portable loop (same integer sums; only the Float order differs).
enum GGMLIntegerDot {
    /// Q4_1 rows × int8 activations (`codes8`, `scaleSums8`), two rows at once so the activation codes are
    /// loaded once for both and the two FMA chains overlap. Per block: the 16 code bytes become 32 nibble bytes
    /// (low lane: low nibbles = elements 0–15, high lane: high nibbles = 16–31; in-lane ops), vpmaddubsw
    /// (unsigned nibble × signed code → int16 pairs; cannot saturate: 15·127·2 < 32767), vpmaddwd with ones
    /// (→ int32), vcvtdq2ps, one FMA. Blocks go four at a time: the four (d, m) fp16 pairs of a row are loaded
    /// as one vector, widened and multiplied by the interleaved (scale8_x, Σx); the even lanes are the block
    /// scales (broadcast per block with vpermps), the odd lanes the offset terms m·Σx (summed at the end).
    /// Leftover blocks (cols/32 not a multiple of 4) go one at a time.
    @inline(__always)
    static func q4_1x2(_ rowA: UnsafeRawPointer, _ rowB: UnsafeRawPointer, codes8: UnsafePointer<Int8>,
                       scaleSums8: UnsafePointer<Float>, blocks: Int) -> (Float, Float) {
        #if arch(x86_64) && os(Linux)
        let low = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1)
        let lane0 = _mm256_set1_epi32(0), lane2 = _mm256_set1_epi32(2)
        let lane4 = _mm256_set1_epi32(4), lane6 = _mm256_set1_epi32(6)
        var accA = _mm256_setzero_ps(), accB = _mm256_setzero_ps()
        var pairA = _mm256_setzero_ps(), pairB = _mm256_setzero_ps()
        var b = 0
        while b + 4 <= blocks {
            let pa = rowA + b * 20, pb = rowB + b * 20
            let sv = UnsafeRawPointer(scaleSums8 + 2 * b).loadUnaligned(as: __m256.self)
            let fa = _mm256_mul_ps(scalePairs4(pa), sv), fb = _mm256_mul_ps(scalePairs4(pb), sv)
            pairA = _mm256_add_ps(pairA, fa)
            pairB = _mm256_add_ps(pairB, fb)
            let c = UnsafeRawPointer(codes8 + b * 32)
            var xq = c.loadUnaligned(as: __m256i.self)
            accA = _mm256_fmadd_ps(q4Block8(pa + 4, xq, low, ones), _mm256_permutevar8x32_ps(fa, lane0), accA)
            accB = _mm256_fmadd_ps(q4Block8(pb + 4, xq, low, ones), _mm256_permutevar8x32_ps(fb, lane0), accB)
            xq = (c + 32).loadUnaligned(as: __m256i.self)
            accA = _mm256_fmadd_ps(q4Block8(pa + 24, xq, low, ones), _mm256_permutevar8x32_ps(fa, lane2), accA)
            accB = _mm256_fmadd_ps(q4Block8(pb + 24, xq, low, ones), _mm256_permutevar8x32_ps(fb, lane2), accB)
            xq = (c + 64).loadUnaligned(as: __m256i.self)
            accA = _mm256_fmadd_ps(q4Block8(pa + 44, xq, low, ones), _mm256_permutevar8x32_ps(fa, lane4), accA)
            accB = _mm256_fmadd_ps(q4Block8(pb + 44, xq, low, ones), _mm256_permutevar8x32_ps(fb, lane4), accB)
            xq = (c + 96).loadUnaligned(as: __m256i.self)
            accA = _mm256_fmadd_ps(q4Block8(pa + 64, xq, low, ones), _mm256_permutevar8x32_ps(fa, lane6), accA)
            accB = _mm256_fmadd_ps(q4Block8(pb + 64, xq, low, ones), _mm256_permutevar8x32_ps(fb, lane6), accB)
            b += 4
        }
        // Odd lanes of the pair sums are the offset terms m·Σx.
        let odd = SIMD8<Float>(0, 1, 0, 1, 0, 1, 0, 1)
        var offA = (SIMD8<Float>(pairA) * odd).sum(), offB = (SIMD8<Float>(pairB) * odd).sum()
        while b < blocks {
            let pa = rowA + b * 20, pb = rowB + b * 20
            let xq = UnsafeRawPointer(codes8 + b * 32).loadUnaligned(as: __m256i.self)
            let sx = scaleSums8[2 * b], xs = scaleSums8[2 * b + 1]
            accA = _mm256_fmadd_ps(q4Block8(pa + 4, xq, low, ones), _mm256_set1_ps(half(pa) * sx), accA)
            accB = _mm256_fmadd_ps(q4Block8(pb + 4, xq, low, ones), _mm256_set1_ps(half(pb) * sx), accB)
            offA += half(pa + 2) * xs
            offB += half(pb + 2) * xs
            b += 1
        }
        return (SIMD8<Float>(accA).sum() + offA, SIMD8<Float>(accB).sum() + offB)
        #else
        return (q4_1(rowA, codes8: codes8, scaleSums8: scaleSums8, blocks: blocks),
                q4_1(rowB, codes8: codes8, scaleSums8: scaleSums8, blocks: blocks))
        #endif
    }

    /// One Q4_1 row × int8 activations (the odd row of a matrix; same arithmetic as q4_1x2's leftover blocks).
    @inline(__always)
    static func q4_1(_ row: UnsafeRawPointer, codes8: UnsafePointer<Int8>, scaleSums8: UnsafePointer<Float>,
                     blocks: Int) -> Float {
        #if arch(x86_64) && os(Linux)
        let low = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1)
        var acc = _mm256_setzero_ps()
        var off: Float = 0
        for b in 0..<blocks {
            let p = row + b * 20
            let xq = UnsafeRawPointer(codes8 + b * 32).loadUnaligned(as: __m256i.self)
            acc = _mm256_fmadd_ps(q4Block8(p + 4, xq, low, ones), _mm256_set1_ps(half(p) * scaleSums8[2 * b]), acc)
            off += half(p + 2) * scaleSums8[2 * b + 1]
        }
        return SIMD8<Float>(acc).sum() + off
        #else
        var total: Float = 0
        for b in 0..<blocks {
            let p = row + b * 20
            var s: Int32 = 0
            for j in 0..<16 {
                let byte = p.load(fromByteOffset: 4 + j, as: UInt8.self)
                s += Int32(byte & 0x0F) * Int32(codes8[b * 32 + j]) + Int32(byte >> 4) * Int32(codes8[b * 32 + j + 16])
            }
            total += half(p) * scaleSums8[2 * b] * Float(s) + half(p + 2) * scaleSums8[2 * b + 1]
        }
        return total
        #endif
    }

    /// Two rows at once; the block scales d of four blocks are loaded and widened as one vector and
    /// multiplied by four activation scales (see q4_1x2), leftover blocks one at a time.
    @inline(__always)
    static func q8_0x2(_ rowA: UnsafeRawPointer, _ rowB: UnsafeRawPointer, codes: UnsafePointer<Int16>,
                       scales: UnsafePointer<Float>, blocks: Int) -> (Float, Float) {
        #if arch(x86_64) && os(Linux)
        let lane0 = _mm_set1_epi32(0), lane1 = _mm_set1_epi32(1), lane2 = _mm_set1_epi32(2), lane3 = _mm_set1_epi32(3)
        var accA = _mm256_setzero_ps(), accB = _mm256_setzero_ps()
        var b = 0
        while b + 4 <= blocks {
            let pa = rowA + b * 34, pb = rowB + b * 34
            let sv = UnsafeRawPointer(scales + b).loadUnaligned(as: __m128.self)
            let fa = _mm_mul_ps(scales4(pa), sv), fb = _mm_mul_ps(scales4(pb), sv)
            let c = codes + b * 32
            var x0 = load256(c), x1 = load256(c + 16)
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q8Block(pa + 2, x0, x1)), broadcast(fa, lane0), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q8Block(pb + 2, x0, x1)), broadcast(fb, lane0), accB)
            x0 = load256(c + 32); x1 = load256(c + 48)
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q8Block(pa + 36, x0, x1)), broadcast(fa, lane1), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q8Block(pb + 36, x0, x1)), broadcast(fb, lane1), accB)
            x0 = load256(c + 64); x1 = load256(c + 80)
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q8Block(pa + 70, x0, x1)), broadcast(fa, lane2), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q8Block(pb + 70, x0, x1)), broadcast(fb, lane2), accB)
            x0 = load256(c + 96); x1 = load256(c + 112)
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q8Block(pa + 104, x0, x1)), broadcast(fa, lane3), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q8Block(pb + 104, x0, x1)), broadcast(fb, lane3), accB)
            b += 4
        }
        while b < blocks {
            let pa = rowA + b * 34, pb = rowB + b * 34
            let x0 = load256(codes + b * 32), x1 = load256(codes + b * 32 + 16)
            let sx = scales[b]
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q8Block(pa + 2, x0, x1)), _mm256_set1_ps(half(pa) * sx), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q8Block(pb + 2, x0, x1)), _mm256_set1_ps(half(pb) * sx), accB)
            b += 1
        }
        return (SIMD8<Float>(accA).sum(), SIMD8<Float>(accB).sum())
        #else
        return (q8_0(rowA, codes: codes, scales: scales, blocks: blocks),
                q8_0(rowB, codes: codes, scales: scales, blocks: blocks))
        #endif
    }

    @inline(__always)
    static func q8_0(_ row: UnsafeRawPointer, codes: UnsafePointer<Int16>, scales: UnsafePointer<Float>,
                     blocks: Int) -> Float {
        #if arch(x86_64) && os(Linux)
        var acc = _mm256_setzero_ps()
        for b in 0..<blocks {
            let p = row + b * 34
            let prod = q8Block(p + 2, load256(codes + b * 32), load256(codes + b * 32 + 16))
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(prod), _mm256_set1_ps(half(p) * scales[b]), acc)
        }
        return SIMD8<Float>(acc).sum()
        #else
        var total: Float = 0
        for b in 0..<blocks {
            let p = row + b * 34
            var s: Int32 = 0
            for j in 0..<32 { s += Int32(p.load(fromByteOffset: 2 + j, as: Int8.self)) * Int32(codes[b * 32 + j]) }
            total += half(p) * scales[b] * Float(s)
        }
        return total
        #endif
    }

    @inline(__always)
    static func half(_ p: UnsafeRawPointer) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(as: UInt16.self)))
    }

    #if arch(x86_64) && os(Linux)
    @inline(__always)
    static func load256(_ p: UnsafePointer<Int16>) -> __m256i {
        UnsafeRawPointer(p).loadUnaligned(as: __m256i.self)
    }

    /// The (d, m) fp16 pairs of four consecutive Q4_1 blocks (20 bytes apart) as 8 Floats d0 m0 d1 m1 … .
    @inline(__always)
    static func scalePairs4(_ p: UnsafeRawPointer) -> __m256 {
        let v = _mm_setr_epi32(p.loadUnaligned(as: Int32.self), (p + 20).loadUnaligned(as: Int32.self),
                               (p + 40).loadUnaligned(as: Int32.self), (p + 60).loadUnaligned(as: Int32.self))
        return _mm256_cvtph_ps(v)
    }

    /// The fp16 scales d of four consecutive Q8_0 blocks (34 bytes apart) as 4 Floats.
    @inline(__always)
    static func scales4(_ p: UnsafeRawPointer) -> __m128 {
        let v = _mm_setr_epi16(p.loadUnaligned(as: Int16.self), (p + 34).loadUnaligned(as: Int16.self),
                               (p + 68).loadUnaligned(as: Int16.self), (p + 102).loadUnaligned(as: Int16.self),
                               0, 0, 0, 0)
        return _mm_cvtph_ps(v)
    }

    /// Lane `index` of a 4-Float vector in all 8 lanes of a 256-bit vector.
    @inline(__always)
    static func broadcast(_ v: __m128, _ index: __m128i) -> __m256 {
        _mm256_broadcastss_ps(_mm_permutevar_ps(v, index))
    }

    /// Σ q_w·q_x of one Q4_1 block × int8 codes, as 8 Floats (exact int32 partial sums, converted). Byte j of
    /// the 16 code bytes holds element j (low nibble) and element j+16 (high nibble).
    @inline(__always)
    static func q4Block8(_ p: UnsafeRawPointer, _ xq: __m256i, _ low: __m256i, _ ones: __m256i) -> __m256 {
        let packed = p.loadUnaligned(as: __m128i.self)
        let w = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed), low)
        return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(w, xq), ones))
    }

    /// Σ q_w·q_x of one Q8_0 block (32 signed bytes at p) as 8 int32 partial sums.
    @inline(__always)
    static func q8Block(_ p: UnsafeRawPointer, _ x0: __m256i, _ x1: __m256i) -> __m256i {
        let w0 = _mm256_cvtepi8_epi16(p.loadUnaligned(as: __m128i.self))
        let w1 = _mm256_cvtepi8_epi16((p + 16).loadUnaligned(as: __m128i.self))
        return _mm256_add_epi32(_mm256_madd_epi16(w0, x0), _mm256_madd_epi16(w1, x1))
    }
    #endif
}
