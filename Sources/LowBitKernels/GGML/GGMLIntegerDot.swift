#if arch(x86_64) && os(Linux)
import _Builtin_intrinsics.intel
#endif

/// Dot products of 8 interleaved GGML weight rows (`GGMLInterleavedRows`, one group) with quantized activations
/// (one decode token, `DecodeActivations`), in integers. Per block of 32:
///   Q4_1 (d, m, nibbles q_w) × int8 codes q and residuals r:
///                                           Σ (d·q_w + m)·x ≈ d·scale8_x·(Σ q_w·q + Σ q_w·r / 127) + m·Σx  (Σx exact)
///   Q8_0 (d, int8 q_w) × int16 codes:       Σ d·q_w·x ≈ d·scale_x·Σ q_w·q_x
/// The integer sums are exact; each block contributes one vcvtdq2ps and one FMA for all 8 rows.
///
/// x86-64 (AVX2, guaranteed by -march=x86-64-v3 in Package.swift), per block and group of 8 rows:
///   Q4_1: 4 loads of 32 code bytes; each gives the low and the high nibbles (vpand, vpsrlw + vpand) of 4
///         elements × 8 rows, multiplied by the 4 matching activation codes broadcast to every lane
///         (vpbroadcastd) with vpmaddubsw, and again by the 4 residual codes; each set of 8 int16 results is
///         added (no overflow: 8·2·15·127 < 32767), one vpmaddwd with ones gives each row's int32 block sum in
///         its lane. ~56 instructions per 256 weights (v7: ~9 per 32 weights of one row, plus a horizontal
///         sum per row, without the residual).
///   Q8_0: 16 × (vpmovsxbw of 2 codes × 8 rows, vpmaddwd with 2 broadcast int16 codes, vpaddd).
/// Swift's SIMD types do not lower to vpmaddubsw/vpmaddwd, so the clang intrinsics are imported directly.
/// Other architectures run the portable loop (`portable`): the same integer sums, another Float order.
enum GGMLIntegerDot {
    /// Σ over the blocks of two Q4_1 groups (lane i = row i of each). Two groups far apart in memory are two
    /// address streams (more weight bytes in flight per core than one stream: one thread +25–45 % from DRAM,
    /// docs/cpu-kernels.md v17)
    /// sharing the activation broadcasts. `b` may equal `a` (an odd group out).
    @inline(__always)
    static func q4_1Pair(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, blocks: Int, codes8: UnsafePointer<Int8>,
                         scales8: UnsafePointer<Float>, sums: UnsafePointer<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
        #if arch(x86_64) && os(Linux)
        let low = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1)
        var accA = _mm256_setzero_ps(), accB = _mm256_setzero_ps()
        let x = UnsafeRawPointer(codes8), inverse127 = _mm256_set1_ps(1 / 127)
        for k in 0..<blocks {
            let pa = a + k * 160, pb = b + k * 160, xb = x + k * 64
            var sa = _mm256_setzero_si256(), ra = _mm256_setzero_si256()
            var sb = _mm256_setzero_si256(), rb = _mm256_setzero_si256()
            for j in 0..<4 {
                let ca = (pa + 32 + 32 * j).loadUnaligned(as: __m256i.self)
                let cb = (pb + 32 + 32 * j).loadUnaligned(as: __m256i.self)
                let loA = _mm256_and_si256(ca, low), hiA = _mm256_and_si256(_mm256_srli_epi16(ca, 4), low)
                let loB = _mm256_and_si256(cb, low), hiB = _mm256_and_si256(_mm256_srli_epi16(cb, 4), low)
                let x0 = broadcast4(xb + 4 * j), x1 = broadcast4(xb + 16 + 4 * j)
                let r0 = broadcast4(xb + 32 + 4 * j), r1 = broadcast4(xb + 48 + 4 * j)
                sa = _mm256_add_epi16(sa, _mm256_add_epi16(_mm256_maddubs_epi16(loA, x0), _mm256_maddubs_epi16(hiA, x1)))
                sb = _mm256_add_epi16(sb, _mm256_add_epi16(_mm256_maddubs_epi16(loB, x0), _mm256_maddubs_epi16(hiB, x1)))
                ra = _mm256_add_epi16(ra, _mm256_add_epi16(_mm256_maddubs_epi16(loA, r0), _mm256_maddubs_epi16(hiA, r1)))
                rb = _mm256_add_epi16(rb, _mm256_add_epi16(_mm256_maddubs_epi16(loB, r0), _mm256_maddubs_epi16(hiB, r1)))
            }
            let sx = _mm256_set1_ps(scales8[k]), xs = _mm256_set1_ps(sums[k])
            func block(_ p: UnsafeRawPointer, _ s: __m256i, _ r: __m256i, _ acc: __m256) -> __m256 {
                let d = _mm256_cvtph_ps(p.loadUnaligned(as: __m128i.self))
                let m = _mm256_cvtph_ps((p + 16).loadUnaligned(as: __m128i.self))
                let sum = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(r, ones)), inverse127,
                                          _mm256_cvtepi32_ps(_mm256_madd_epi16(s, ones)))
                return _mm256_fmadd_ps(m, xs, _mm256_fmadd_ps(sum, _mm256_mul_ps(d, sx), acc))
            }
            accA = block(pa, sa, ra, accA)
            accB = block(pb, sb, rb, accB)
        }
        return (accA, accB)
        #else
        return (portableQ4_1(a, blocks: blocks, codes8: codes8, scales8: scales8, sums: sums),
                portableQ4_1(b, blocks: blocks, codes8: codes8, scales8: scales8, sums: sums))
        #endif
    }

    /// Σ over the blocks of two Q8_0 groups (see q4_1Pair).
    @inline(__always)
    static func q8_0Pair(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, blocks: Int, codes: UnsafePointer<Int16>,
                         scales: UnsafePointer<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
        #if arch(x86_64) && os(Linux)
        var accA = _mm256_setzero_ps(), accB = _mm256_setzero_ps()
        let x = UnsafeRawPointer(codes)
        for k in 0..<blocks {
            let pa = a + k * 272 + 16, pb = b + k * 272 + 16, xb = x + k * 64
            var sa = _mm256_setzero_si256(), sb = _mm256_setzero_si256()
            for t in 0..<16 {
                let xt = broadcast4(xb + 4 * t)
                sa = _mm256_add_epi32(sa, _mm256_madd_epi16(_mm256_cvtepi8_epi16((pa + 16 * t).loadUnaligned(as: __m128i.self)), xt))
                sb = _mm256_add_epi32(sb, _mm256_madd_epi16(_mm256_cvtepi8_epi16((pb + 16 * t).loadUnaligned(as: __m128i.self)), xt))
            }
            let sx = _mm256_set1_ps(scales[k])
            accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sa), _mm256_mul_ps(_mm256_cvtph_ps((pa - 16).loadUnaligned(as: __m128i.self)), sx), accA)
            accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sb), _mm256_mul_ps(_mm256_cvtph_ps((pb - 16).loadUnaligned(as: __m128i.self)), sx), accB)
        }
        return (accA, accB)
        #else
        return (portableQ8_0(a, blocks: blocks, codes: codes, scales: scales),
                portableQ8_0(b, blocks: blocks, codes: codes, scales: scales))
        #endif
    }

    /// The same sums as q4_1Pair for one group in plain Swift (other architectures; also tested on x86).
    static func portableQ4_1(_ g: UnsafeRawPointer, blocks: Int, codes8: UnsafePointer<Int8>,
                             scales8: UnsafePointer<Float>, sums: UnsafePointer<Float>) -> SIMD8<Float> {
        var out = SIMD8<Float>()
        for b in 0..<blocks {
            let p = g + b * 160
            for i in 0..<8 {
                var s: Int32 = 0, r: Int32 = 0
                for j in 0..<4 {
                    for k in 0..<4 {
                        let byte = p.load(fromByteOffset: 32 + 32 * j + 4 * i + k, as: UInt8.self)
                        let e = b * 64 + 4 * j + k
                        s += Int32(byte & 0x0F) * Int32(codes8[e]) + Int32(byte >> 4) * Int32(codes8[e + 16])
                        r += Int32(byte & 0x0F) * Int32(codes8[e + 32]) + Int32(byte >> 4) * Int32(codes8[e + 48])
                    }
                }
                out[i] += half(p + 2 * i) * scales8[b] * (Float(s) + Float(r) / 127) + half(p + 16 + 2 * i) * sums[b]
            }
        }
        return out
    }

    static func portableQ8_0(_ g: UnsafeRawPointer, blocks: Int, codes: UnsafePointer<Int16>,
                             scales: UnsafePointer<Float>) -> SIMD8<Float> {
        var out = SIMD8<Float>()
        for b in 0..<blocks {
            let p = g + b * 272
            for i in 0..<8 {
                var s: Int32 = 0
                for t in 0..<16 {
                    for k in 0..<2 {
                        s += Int32(p.load(fromByteOffset: 16 + 16 * t + 2 * i + k, as: Int8.self))
                            * Int32(codes[b * 32 + 2 * t + k])
                    }
                }
                out[i] += half(p + 2 * i) * scales[b] * Float(s)
            }
        }
        return out
    }

    @inline(__always)
    static func half(_ p: UnsafeRawPointer) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(as: UInt16.self)))
    }
}
