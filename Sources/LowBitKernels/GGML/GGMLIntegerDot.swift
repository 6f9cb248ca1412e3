#if arch(x86_64) && os(Linux)
import _Builtin_intrinsics.intel
#endif

/// Dot products of GGML weight rows with int16 activations (one decode token), in integers.
///
/// Per block of 32 (scale_x, codes q_x from `Int16Activations`):
///   Q4_1 (d, m, nibbles q_w):  Σ (d·q_w + m)·x ≈ d·scale_x·Σ q_w·q_x + m·Σx   (Σx exact)
///   Q8_0 (d, int8 q_w):        Σ d·q_w·x ≈ d·scale_x·Σ q_w·q_x
/// On x86-64 (AVX2, guaranteed by -march=x86-64-v3 in Package.swift) the weights are widened to int16
/// (vpmovzxbw / vpmovsxbw), multiplied and pair-summed with vpmaddwd into int32 (exact: |Σ| < 2^31), then one
/// vcvtdq2ps and one FMA per block: about 9 instructions per 32 weights instead of ~25 for converting each
/// weight to Float. Swift's SIMD types do not lower to vpmaddwd, so the clang intrinsics are imported
/// directly. Other architectures run the portable loop (same integer sums; only the Float order differs).
enum GGMLIntegerDot {
    /// Two rows at once so the activation codes are loaded once for both and the two FMA chains overlap.
    /// Blocks go four at a time: the four (d, m) fp16 pairs of a row are loaded as one vector, widened and
    /// multiplied by the interleaved (scale_x, Σx) of the activations in one step; the even lanes are the
    /// block scales d·scale_x (broadcast per block with vpermps), the odd lanes the offset terms m·Σx (summed
    /// at the end). That replaces ~7 scalar instructions per row and block (load, convert, multiply,
    /// broadcast for d; the same for m) with under 3. Leftover blocks (cols/32 not a multiple of 4) go one
    /// at a time.
    @inline(__always)
    static func q4_1x2(_ rowA: UnsafeRawPointer, _ rowB: UnsafeRawPointer, codes: UnsafePointer<Int16>,
                       scales: UnsafePointer<Float>, sums: UnsafePointer<Float>, scaleSums: UnsafePointer<Float>,
                       blocks: Int) -> (Float, Float) {
        #if arch(x86_64) && os(Linux)
        let low = _mm256_set1_epi16(0x0F)
        let lane0 = _mm256_set1_epi32(0), lane2 = _mm256_set1_epi32(2)
        let lane4 = _mm256_set1_epi32(4), lane6 = _mm256_set1_epi32(6)
        var accA = _mm256_setzero_ps(), accB = _mm256_setzero_ps()
        var pairA = _mm256_setzero_ps(), pairB = _mm256_setzero_ps()
        var b = 0
        while b + 4 <= blocks {
            let pa = rowA + b * 20, pb = rowB + b * 20
            let sv = UnsafeRawPointer(scaleSums + 2 * b).loadUnaligned(as: __m256.self)
            let fa = _mm256_mul_ps(scalePairs4(pa), sv), fb = _mm256_mul_ps(scalePairs4(pb), sv)
            pairA = _mm256_add_ps(pairA, fa)
            pairB = _mm256_add_ps(pairB, fb)
            let c = codes + b * 32
            var x0 = load256(c), x1 = load256(c + 16)
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4Block(pa + 4, x0, x1, low)), _mm256_permutevar8x32_ps(fa, lane0), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4Block(pb + 4, x0, x1, low)), _mm256_permutevar8x32_ps(fb, lane0), accB)
            x0 = load256(c + 32); x1 = load256(c + 48)
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4Block(pa + 24, x0, x1, low)), _mm256_permutevar8x32_ps(fa, lane2), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4Block(pb + 24, x0, x1, low)), _mm256_permutevar8x32_ps(fb, lane2), accB)
            x0 = load256(c + 64); x1 = load256(c + 80)
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4Block(pa + 44, x0, x1, low)), _mm256_permutevar8x32_ps(fa, lane4), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4Block(pb + 44, x0, x1, low)), _mm256_permutevar8x32_ps(fb, lane4), accB)
            x0 = load256(c + 96); x1 = load256(c + 112)
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4Block(pa + 64, x0, x1, low)), _mm256_permutevar8x32_ps(fa, lane6), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4Block(pb + 64, x0, x1, low)), _mm256_permutevar8x32_ps(fb, lane6), accB)
            b += 4
        }
        // Odd lanes of the pair sums are the offset terms m·Σx.
        let odd = SIMD8<Float>(0, 1, 0, 1, 0, 1, 0, 1)
        var offA = (SIMD8<Float>(pairA) * odd).sum(), offB = (SIMD8<Float>(pairB) * odd).sum()
        while b < blocks {
            let pa = rowA + b * 20, pb = rowB + b * 20
            let x0 = load256(codes + b * 32), x1 = load256(codes + b * 32 + 16)
            let sx = scales[b], xs = sums[b]
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4Block(pa + 4, x0, x1, low)), _mm256_set1_ps(half(pa) * sx), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4Block(pb + 4, x0, x1, low)), _mm256_set1_ps(half(pb) * sx), accB)
            offA += half(pa + 2) * xs
            offB += half(pb + 2) * xs
            b += 1
        }
        return (SIMD8<Float>(accA).sum() + offA, SIMD8<Float>(accB).sum() + offB)
        #else
        return (q4_1(rowA, codes: codes, scales: scales, sums: sums, blocks: blocks),
                q4_1(rowB, codes: codes, scales: scales, sums: sums, blocks: blocks))
        #endif
    }

    @inline(__always)
    static func q4_1(_ row: UnsafeRawPointer, codes: UnsafePointer<Int16>, scales: UnsafePointer<Float>,
                     sums: UnsafePointer<Float>, blocks: Int) -> Float {
        #if arch(x86_64) && os(Linux)
        let low = _mm256_set1_epi16(0x0F)
        var acc = _mm256_setzero_ps()
        var off: Float = 0
        for b in 0..<blocks {
            let p = row + b * 20
            let prod = q4Block(p + 4, load256(codes + b * 32), load256(codes + b * 32 + 16), low)
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(prod), _mm256_set1_ps(half(p) * scales[b]), acc)
            off += half(p + 2) * sums[b]
        }
        return SIMD8<Float>(acc).sum() + off
        #else
        var total: Float = 0
        for b in 0..<blocks {
            let p = row + b * 20
            var s: Int32 = 0
            for j in 0..<16 {
                let byte = p.load(fromByteOffset: 4 + j, as: UInt8.self)
                s += Int32(byte & 0x0F) * Int32(codes[b * 32 + j]) + Int32(byte >> 4) * Int32(codes[b * 32 + j + 16])
            }
            total += half(p) * scales[b] * Float(s) + half(p + 2) * sums[b]
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

    /// Σ q_w·q_x of one Q4_1 block as 8 int32 partial sums. Byte j of the 16 code bytes holds element j (low
    /// nibble) and element j+16 (high nibble): widened to 16 × int16, `& 0xF` gives elements 0–15 and `>> 4`
    /// elements 16–31, matching the activation halves x0 and x1.
    @inline(__always)
    static func q4Block(_ p: UnsafeRawPointer, _ x0: __m256i, _ x1: __m256i, _ low: __m256i) -> __m256i {
        let wide = _mm256_cvtepu8_epi16(p.loadUnaligned(as: __m128i.self))
        return _mm256_add_epi32(_mm256_madd_epi16(_mm256_and_si256(wide, low), x0),
                                _mm256_madd_epi16(_mm256_srli_epi16(wide, 4), x1))
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
