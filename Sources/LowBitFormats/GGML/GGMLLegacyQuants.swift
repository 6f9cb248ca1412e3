/// The original 32-element block formats (ggml-common.h block_q4_0 … block_q8_1). In the 4- and 5-bit
/// ones, byte j of qs holds element j in its low nibble and element j + 16 in its high nibble.
enum GGMLLegacy {
    static let qk = 32

    /// block_q4_0 { half d; u8 qs[16] }: x = (q − 8)·d
    static func q4_0(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let x = src + b * 18, out = y + b * qk
            let d = loadHalf(x, 0)
            for j in 0..<16 {
                let q = loadU8(x, 2 + j)
                out[j] = Float(Int32(q & 0x0F) - 8) * d
                out[j + 16] = Float(Int32(q >> 4) - 8) * d
            }
        }
    }

    /// block_q4_1 { half d; half m; u8 qs[16] }: x = q·d + m
    static func q4_1(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let x = src + b * 20, out = y + b * qk
            let d = loadHalf(x, 0), m = loadHalf(x, 2)
            for j in 0..<16 {
                let q = loadU8(x, 4 + j)
                out[j] = Float(q & 0x0F) * d + m
                out[j + 16] = Float(q >> 4) * d + m
            }
        }
    }

    /// block_q5_0 { half d; u8 qh[4]; u8 qs[16] }: bit j of the 32-bit qh is the fifth bit of element j;
    /// x = (q − 16)·d
    static func q5_0(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let x = src + b * 22, out = y + b * qk
            let d = loadHalf(x, 0)
            let qh = loadU32(x, 2)
            for j in 0..<16 {
                let q = UInt32(loadU8(x, 6 + j))
                let h0 = ((qh >> UInt32(j)) << 4) & 0x10
                let h1 = (qh >> UInt32(j + 12)) & 0x10
                out[j] = Float(Int32((q & 0x0F) | h0) - 16) * d
                out[j + 16] = Float(Int32((q >> 4) | h1) - 16) * d
            }
        }
    }

    /// block_q5_1 { half d; half m; u8 qh[4]; u8 qs[16] }: x = q·d + m
    static func q5_1(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let x = src + b * 24, out = y + b * qk
            let d = loadHalf(x, 0), m = loadHalf(x, 2)
            let qh = loadU32(x, 4)
            for j in 0..<16 {
                let q = UInt32(loadU8(x, 8 + j))
                let h0 = ((qh >> UInt32(j)) << 4) & 0x10
                let h1 = (qh >> UInt32(j + 12)) & 0x10
                out[j] = Float((q & 0x0F) | h0) * d + m
                out[j + 16] = Float((q >> 4) | h1) * d + m
            }
        }
    }

    /// block_q8_0 { half d; i8 qs[32] }: x = q·d
    static func q8_0(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let x = src + b * 34, out = y + b * qk
            let d = loadHalf(x, 0)
            for j in 0..<32 { out[j] = Float(x.load(fromByteOffset: 2 + j, as: Int8.self)) * d }
        }
    }

    /// block_q8_1 { half d; half s; i8 qs[32] } (s = d·Σq, a dot-product helper): x = q·d
    static func q8_1(_ src: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let x = src + b * 36, out = y + b * qk
            let d = loadHalf(x, 0)
            for j in 0..<32 { out[j] = Float(x.load(fromByteOffset: 4 + j, as: Int8.self)) * d }
        }
    }
}
