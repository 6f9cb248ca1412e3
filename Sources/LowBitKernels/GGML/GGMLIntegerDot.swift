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
    @inline(__always)
    static func q4_1x2(_ rowA: UnsafeRawPointer, _ rowB: UnsafeRawPointer, codes: UnsafePointer<Int16>,
                       scales: UnsafePointer<Float>, sums: UnsafePointer<Float>, blocks: Int) -> (Float, Float) {
        #if arch(x86_64) && os(Linux)
        let low = _mm256_set1_epi16(0x0F)
        var accA = _mm256_setzero_ps(), accB = _mm256_setzero_ps()
        var offA: Float = 0, offB: Float = 0
        for b in 0..<blocks {
            let pa = rowA + b * 20, pb = rowB + b * 20
            let x0 = load256(codes + b * 32), x1 = load256(codes + b * 32 + 16)
            let sx = scales[b], xs = sums[b]
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4Block(pa + 4, x0, x1, low)), _mm256_set1_ps(half(pa) * sx), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q4Block(pb + 4, x0, x1, low)), _mm256_set1_ps(half(pb) * sx), accB)
            offA += half(pa + 2) * xs
            offB += half(pb + 2) * xs
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

    @inline(__always)
    static func q8_0x2(_ rowA: UnsafeRawPointer, _ rowB: UnsafeRawPointer, codes: UnsafePointer<Int16>,
                       scales: UnsafePointer<Float>, blocks: Int) -> (Float, Float) {
        #if arch(x86_64) && os(Linux)
        var accA = _mm256_setzero_ps(), accB = _mm256_setzero_ps()
        for b in 0..<blocks {
            let pa = rowA + b * 34, pb = rowB + b * 34
            let x0 = load256(codes + b * 32), x1 = load256(codes + b * 32 + 16)
            let sx = scales[b]
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q8Block(pa + 2, x0, x1)), _mm256_set1_ps(half(pa) * sx), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(q8Block(pb + 2, x0, x1)), _mm256_set1_ps(half(pb) * sx), accB)
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
