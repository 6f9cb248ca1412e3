/// Block formats whose codes index a fixed non-uniform table (iq4_nl, iq4_xs, mxfp4) and the ternary tq2_0.
/// Tables are packed into UInt64 words (one signed byte per entry) so the inner loop indexes no arrays.
enum GGMLCodebook {
    /// ggml kvalues_iq4nl: −127 −104 −83 −65 −49 −35 −22 −10 1 13 25 38 53 69 89 113
    static let iq4nl = packTable([-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113])
    /// ggml kvalues_mxfp4: the E2M1 values doubled (0 .5 1 1.5 2 3 4 6 → 0 1 2 3 4 6 8 12), sign in bit 3.
    static let mxfp4Values = packTable([0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12])

    static func packTable(_ values: [Int8]) -> (UInt64, UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        for (i, v) in values.enumerated() {
            let byte = UInt64(UInt8(bitPattern: v)) << UInt64(8 * (i & 7))
            if i < 8 { words.0 |= byte } else { words.1 |= byte }
        }
        return words
    }

    @inline(__always)
    static func lookup(_ table: (UInt64, UInt64), _ code: UInt8) -> Float {
        let word = code < 8 ? table.0 : table.1
        return Float(Int8(truncatingIfNeeded: word >> UInt64(8 * (code & 7))))
    }

    /// block_iq4_nl { half d; u8 qs[16] }: x = d·table[q]
    static func iq4_nl(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        let table = iq4nl
        for b in 0..<blocks {
            let x = src + b * 18, out = y + b * 32
            let d = loadHalf(x, 0)
            for j in 0..<16 {
                let q = loadU8(x, 2 + j)
                out[j] = d * lookup(table, q & 0x0F)
                out[j + 16] = d * lookup(table, q >> 4)
            }
        }
    }

    /// block_iq4_xs { half d; u16 scales_h; u8 scales_l[4]; u8 qs[128] }: 8 sub-blocks of 32 with 6-bit
    /// scales (4 low bits in scales_l, 2 high bits in scales_h, bias 32); x = d·(ls − 32)·table[q].
    static func iq4_xs(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        let table = iq4nl
        for b in 0..<blocks {
            let x = src + b * 136
            let d = loadHalf(x, 0)
            let scalesH = UInt32(UInt16(littleEndian: x.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
            for ib in 0..<8 {
                let low = UInt32(loadU8(x, 4 + ib / 2) >> UInt8(4 * (ib % 2))) & 0x0F
                let ls = low | (((scalesH >> UInt32(2 * ib)) & 3) << 4)
                let dl = d * Float(Int32(ls) - 32)
                let qs = x + 8 + 16 * ib, out = y + b * 256 + 32 * ib
                for j in 0..<16 {
                    let q = loadU8(qs, j)
                    out[j] = dl * lookup(table, q & 0x0F)
                    out[j + 16] = dl * lookup(table, q >> 4)
                }
            }
        }
    }

    /// ggml_e8m0_to_fp32_half: 2^(e − 128) as a float bit pattern (e < 2 gives the subnormals 2^-128, 2^-127).
    @inline(__always)
    static func e8m0Half(_ e: UInt8) -> Float {
        Float(bitPattern: e < 2 ? UInt32(0x0020_0000) << UInt32(e) : (UInt32(e) - 1) << 23)
    }

    /// block_mxfp4 { u8 e; u8 qs[16] }: x = table[q]·2^(e−128) (the table is 2× E2M1, hence the half scale).
    static func mxfp4(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        let table = mxfp4Values
        for b in 0..<blocks {
            let x = src + b * 17, out = y + b * 32
            let d = e8m0Half(loadU8(x, 0))
            for j in 0..<16 {
                let q = loadU8(x, 1 + j)
                out[j] = lookup(table, q & 0x0F) * d
                out[j + 16] = lookup(table, q >> 4) * d
            }
        }
    }

    /// block_tq2_0 { u8 qs[64]; half d }: 2-bit codes, element 128·h + 32·l + m in bits 2l of byte 32h + m;
    /// x = (q − 1)·d.
    static func tq2_0(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let x = src + b * 66
            var out = y + b * 256
            let d = loadHalf(x, 64)
            for half in 0..<2 {
                for l in 0..<4 {
                    for m in 0..<32 {
                        let q = (loadU8(x, 32 * half + m) >> UInt8(2 * l)) & 3
                        out[m] = Float(Int32(q) - 1) * d
                    }
                    out += 32
                }
            }
        }
    }
}
