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
    /// Σ over the blocks of one Q4_1 group: lane i = row i of the group.
    @inline(__always)
    static func q4_1Group(_ g: UnsafeRawPointer, blocks: Int, codes8: UnsafePointer<Int8>,
                          scales8: UnsafePointer<Float>, sums: UnsafePointer<Float>) -> SIMD8<Float> {
        #if arch(x86_64) && os(Linux)
        let low = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1)
        var accD = _mm256_setzero_ps(), accM = _mm256_setzero_ps()
        let x = UnsafeRawPointer(codes8), inverse127 = _mm256_set1_ps(1 / 127)
        for b in 0..<blocks {
            let p = g + b * 160, xb = x + b * 64
            var s = _mm256_setzero_si256(), r = _mm256_setzero_si256()
            for j in 0..<4 {
                let c = (p + 32 + 32 * j).loadUnaligned(as: __m256i.self)
                let lo = _mm256_and_si256(c, low), hi = _mm256_and_si256(_mm256_srli_epi16(c, 4), low)
                s = _mm256_add_epi16(s, _mm256_maddubs_epi16(lo, broadcast4(xb + 4 * j)))
                s = _mm256_add_epi16(s, _mm256_maddubs_epi16(hi, broadcast4(xb + 16 + 4 * j)))
                r = _mm256_add_epi16(r, _mm256_maddubs_epi16(lo, broadcast4(xb + 32 + 4 * j)))
                r = _mm256_add_epi16(r, _mm256_maddubs_epi16(hi, broadcast4(xb + 48 + 4 * j)))
            }
            let d = _mm256_cvtph_ps(p.loadUnaligned(as: __m128i.self))
            let m = _mm256_cvtph_ps((p + 16).loadUnaligned(as: __m128i.self))
            let sum = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(r, ones)), inverse127,
                                      _mm256_cvtepi32_ps(_mm256_madd_epi16(s, ones)))
            accD = _mm256_fmadd_ps(sum, _mm256_mul_ps(d, _mm256_set1_ps(scales8[b])), accD)
            accM = _mm256_fmadd_ps(m, _mm256_set1_ps(sums[b]), accM)
        }
        return SIMD8<Float>(_mm256_add_ps(accD, accM))
        #else
        return portableQ4_1(g, blocks: blocks, codes8: codes8, scales8: scales8, sums: sums)
        #endif
    }

    #if arch(x86_64) && os(Linux)
    /// The 4 bytes at p in every 32-bit lane.
    @inline(__always)
    static func broadcast4(_ p: UnsafeRawPointer) -> __m256i { _mm256_set1_epi32(p.loadUnaligned(as: Int32.self)) }
    #endif

    /// Σ over the blocks of one Q8_0 group: lane i = row i of the group.
    @inline(__always)
    static func q8_0Group(_ g: UnsafeRawPointer, blocks: Int, codes: UnsafePointer<Int16>,
                          scales: UnsafePointer<Float>) -> SIMD8<Float> {
        #if arch(x86_64) && os(Linux)
        var acc = _mm256_setzero_ps()
        let x = UnsafeRawPointer(codes)
        for b in 0..<blocks {
            let p = g + b * 272 + 16, xb = x + b * 64
            // Two chains of 8 (vpmaddwd latency), added at the end.
            var s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256()
            for t in stride(from: 0, to: 16, by: 2) {
                let w0 = _mm256_cvtepi8_epi16((p + 16 * t).loadUnaligned(as: __m128i.self))
                let w1 = _mm256_cvtepi8_epi16((p + 16 * t + 16).loadUnaligned(as: __m128i.self))
                s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(w0, broadcast4(xb + 4 * t)))
                s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(w1, broadcast4(xb + 4 * t + 4)))
            }
            let d = _mm256_cvtph_ps((p - 16).loadUnaligned(as: __m128i.self))
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(s0, s1)), _mm256_mul_ps(d, _mm256_set1_ps(scales[b])), acc)
        }
        return SIMD8<Float>(acc)
        #else
        return portableQ8_0(g, blocks: blocks, codes: codes, scales: scales)
        #endif
    }

    /// The same sums as q4_1Group in plain Swift (other architectures; also tested on x86).
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
