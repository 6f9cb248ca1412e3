/// The k-quants: 256-element super-blocks made of 16 or 32-element sub-blocks whose scales (and mins) are
/// themselves quantized against the super-block's fp16 d (and dmin). Layouts from ggml-common.h, decoding
/// from ggml-quants.c dequantize_row_q{2..8}_K.
enum GGMLKQuants {
    static let qk = GGMLType.superBlock

    /// 6-bit scale and min number j (0..<8) of a q4_K / q5_K block, packed in 12 bytes (get_scale_min_k4):
    /// j < 4: low 6 bits of bytes j and j+4; j ≥ 4: a nibble of byte j+4 plus the top 2 bits of byte j−4 / j.
    @inline(__always)
    static func scaleMin(_ j: Int, _ s: UnsafeRawPointer) -> (scale: UInt8, min: UInt8) {
        if j < 4 {
            return (loadU8(s, j) & 63, loadU8(s, j + 4) & 63)
        }
        let scale = (loadU8(s, j + 4) & 0x0F) | ((loadU8(s, j - 4) >> 6) << 4)
        let min = (loadU8(s, j + 4) >> 4) | ((loadU8(s, j) >> 6) << 4)
        return (scale, min)
    }

    /// block_q2_K { u8 scales[16]; u8 qs[64]; half d; half dmin }: 16 sub-blocks of 16; scale byte = 4-bit
    /// scale | 4-bit min << 4; x = d·sc·q − dmin·m with 2-bit q.
    static func q2_K(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let x = src + b * 84
            var out = y + b * qk
            let d = loadHalf(x, 80), dmin = loadHalf(x, 82)
            var q = x + 16
            var scaleIndex = 0
            for _ in 0..<2 {               // two halves of 128
                var shift: UInt8 = 0
                for _ in 0..<4 {
                    for part in 0..<2 {    // 16 elements from q[0..<16], then q[16..<32]
                        let sc = loadU8(x, scaleIndex)
                        scaleIndex += 1
                        let dl = d * Float(sc & 0x0F), ml = dmin * Float(sc >> 4)
                        for l in 0..<16 {
                            out[l] = dl * Float((loadU8(q, l + 16 * part) >> shift) & 3) - ml
                        }
                        out += 16
                    }
                    shift += 2
                }
                q += 32
            }
        }
    }

    /// block_q3_K { u8 hmask[32]; u8 qs[64]; u8 scales[12]; half d }: 16 sub-blocks of 16 with 6-bit
    /// scales (bias 32); 3-bit q = 2 low bits from qs, high bit from hmask (q − 4 when that bit is clear).
    static func q3_K(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        let kmask1: UInt32 = 0x0303_0303, kmask2: UInt32 = 0x0F0F_0F0F
        for b in 0..<blocks {
            let x = src + b * 110
            var out = y + b * qk
            let dAll = loadHalf(x, 108)
            // Unpack the 16 scales: low nibbles from bytes 0..<8, high 2 bits from bytes 8..<12.
            let a0 = loadU32(x, 96), a1 = loadU32(x, 100), tmp = loadU32(x, 104)
            let s0 = (a0 & kmask2) | (((tmp >> 0) & kmask1) << 4)
            let s1 = (a1 & kmask2) | (((tmp >> 2) & kmask1) << 4)
            let s2 = ((a0 >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4)
            let s3 = ((a1 >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4)
            let packed = (UInt64(s0) | UInt64(s1) << 32, UInt64(s2) | UInt64(s3) << 32)
            @inline(__always) func scale(_ i: Int) -> Float {
                let word = i < 8 ? packed.0 : packed.1
                return Float(Int32(Int8(truncatingIfNeeded: word >> UInt64(8 * (i & 7)))) - 32)
            }
            let hm = x
            var q = x + 32
            var m: UInt8 = 1
            var scaleIndex = 0
            for _ in 0..<2 {
                var shift: UInt8 = 0
                for _ in 0..<4 {
                    for part in 0..<2 {
                        let dl = dAll * scale(scaleIndex)
                        scaleIndex += 1
                        for l in 0..<16 {
                            let low = Int32((loadU8(q, l + 16 * part) >> shift) & 3)
                            let high: Int32 = (loadU8(hm, l + 16 * part) & m) != 0 ? 0 : 4
                            out[l] = dl * Float(low - high)
                        }
                        out += 16
                    }
                    shift += 2
                    m <<= 1
                }
                q += 32
            }
        }
    }

    /// block_q4_K { half d; half dmin; u8 scales[12]; u8 qs[128] }: 8 sub-blocks of 32 with 6-bit scale and
    /// min; each 32 bytes of qs hold two sub-blocks (low nibbles, then high); x = d·sc·q − dmin·m.
    static func q4_K(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let x = src + b * 144
            var out = y + b * qk
            let d = loadHalf(x, 0), dmin = loadHalf(x, 2)
            let scales = x + 4
            var q = x + 16
            for pair in 0..<4 {
                let (sc1, m1) = scaleMin(2 * pair, scales)
                let (sc2, m2) = scaleMin(2 * pair + 1, scales)
                let d1 = d * Float(sc1), min1 = dmin * Float(m1)
                let d2 = d * Float(sc2), min2 = dmin * Float(m2)
                for l in 0..<32 { out[l] = d1 * Float(loadU8(q, l) & 0x0F) - min1 }
                for l in 0..<32 { out[l + 32] = d2 * Float(loadU8(q, l) >> 4) - min2 }
                out += 64
                q += 32
            }
        }
    }

    /// block_q5_K { half d; half dmin; u8 scales[12]; u8 qh[32]; u8 qs[128] }: q4_K plus a fifth bit per
    /// element from qh (bit 2·pair for the low-nibble sub-block, 2·pair+1 for the high one).
    static func q5_K(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let x = src + b * 176
            var out = y + b * qk
            let d = loadHalf(x, 0), dmin = loadHalf(x, 2)
            let scales = x + 4, qh = x + 16
            var ql = x + 48
            var u1: UInt8 = 1, u2: UInt8 = 2
            for pair in 0..<4 {
                let (sc1, m1) = scaleMin(2 * pair, scales)
                let (sc2, m2) = scaleMin(2 * pair + 1, scales)
                let d1 = d * Float(sc1), min1 = dmin * Float(m1)
                let d2 = d * Float(sc2), min2 = dmin * Float(m2)
                for l in 0..<32 {
                    let h: UInt8 = (loadU8(qh, l) & u1) != 0 ? 16 : 0
                    out[l] = d1 * Float((loadU8(ql, l) & 0x0F) + h) - min1
                }
                for l in 0..<32 {
                    let h: UInt8 = (loadU8(qh, l) & u2) != 0 ? 16 : 0
                    out[l + 32] = d2 * Float((loadU8(ql, l) >> 4) + h) - min2
                }
                out += 64
                ql += 32
                u1 <<= 2
                u2 <<= 2
            }
        }
    }

    /// block_q6_K { u8 ql[128]; u8 qh[64]; i8 scales[16]; half d }: 16 sub-blocks of 16 with int8 scales;
    /// 6-bit q = 4 bits from ql + 2 bits from qh, minus 32; x = d·sc·q (evaluated (d·sc)·q as ggml does).
    static func q6_K(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let x = src + b * 210
            var out = y + b * qk
            let d = loadHalf(x, 208)
            var ql = x, qh = x + 128, sc = x + 192
            for _ in 0..<2 {
                for l in 0..<32 {
                    let s = l / 16
                    let h = loadU8(qh, l)
                    let lo = loadU8(ql, l), hi = loadU8(ql, l + 32)
                    let q1 = Int32((lo & 0x0F) | ((h >> 0) & 3) << 4) - 32
                    let q2 = Int32((hi & 0x0F) | ((h >> 2) & 3) << 4) - 32
                    let q3 = Int32((lo >> 4) | ((h >> 4) & 3) << 4) - 32
                    let q4 = Int32((hi >> 4) | ((h >> 6) & 3) << 4) - 32
                    out[l] = d * Float(sc.load(fromByteOffset: s, as: Int8.self)) * Float(q1)
                    out[l + 32] = d * Float(sc.load(fromByteOffset: s + 2, as: Int8.self)) * Float(q2)
                    out[l + 64] = d * Float(sc.load(fromByteOffset: s + 4, as: Int8.self)) * Float(q3)
                    out[l + 96] = d * Float(sc.load(fromByteOffset: s + 6, as: Int8.self)) * Float(q4)
                }
                out += 128
                ql += 64
                qh += 32
                sc += 8
            }
        }
    }

    /// block_q8_K { float d; i8 qs[256]; i16 bsums[16] }: x = d·q (bsums only speed up dot products).
    static func q8_K(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let x = src + b * 292, out = y + b * qk
            let d = Float(bitPattern: loadU32(x, 0))
            for j in 0..<256 { out[j] = d * Float(x.load(fromByteOffset: 4 + j, as: Int8.self)) }
        }
    }
}
