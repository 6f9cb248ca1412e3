import LowBitCore

/// Conversion of GGML blocks to Float, exactly as ggml's dequantize_row_* (ggml-quants.c) computes them,
/// including the order of operations where the float rounding depends on it.
extension GGMLType {
    /// Writes `count` Floats decoded from the bytes at `src` (count / blockSize blocks, little-endian, any
    /// alignment). `count` must be a multiple of `blockSize` and the type must satisfy `canDequantize`.
    public func dequantizeRow(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        precondition(count >= 0 && count % blockSize == 0, "\(name): \(count) elements is not a whole number of blocks")
        let blocks = count / blockSize
        switch self {
        case .f32: UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
        case .f16: GGMLPlain.f16(src, count, dst)
        case .bf16: GGMLPlain.bf16(src, count, dst)
        case .f64: GGMLPlain.f64(src, count, dst)
        case .i8: GGMLPlain.i8(src, count, dst)
        case .i16: GGMLPlain.i16(src, count, dst)
        case .i32: GGMLPlain.i32(src, count, dst)
        case .i64: GGMLPlain.i64(src, count, dst)
        case .q4_0: GGMLLegacy.q4_0(src, blocks, dst)
        case .q4_1: GGMLLegacy.q4_1(src, blocks, dst)
        case .q5_0: GGMLLegacy.q5_0(src, blocks, dst)
        case .q5_1: GGMLLegacy.q5_1(src, blocks, dst)
        case .q8_0: GGMLLegacy.q8_0(src, blocks, dst)
        case .q8_1: GGMLLegacy.q8_1(src, blocks, dst)
        case .q2_K: GGMLKQuants.q2_K(src, blocks, dst)
        case .q3_K: GGMLKQuants.q3_K(src, blocks, dst)
        case .q4_K: GGMLKQuants.q4_K(src, blocks, dst)
        case .q5_K: GGMLKQuants.q5_K(src, blocks, dst)
        case .q6_K: GGMLKQuants.q6_K(src, blocks, dst)
        case .q8_K: GGMLKQuants.q8_K(src, blocks, dst)
        case .iq4_nl: GGMLCodebook.iq4_nl(src, blocks, dst)
        case .iq4_xs: GGMLCodebook.iq4_xs(src, blocks, dst)
        case .mxfp4: GGMLCodebook.mxfp4(src, blocks, dst)
        case .tq2_0: GGMLCodebook.tq2_0(src, blocks, dst)
        case .iq2_xxs, .iq2_xs, .iq3_xxs, .iq1_s, .iq3_s, .iq2_s, .iq1_m, .tq1_0:
            preconditionFailure("\(name): dequantization is not implemented (check canDequantize first)")
        }
    }

    /// Convenience for tests and small data: decodes `bytes` (a whole number of blocks) into a new array.
    public func dequantize(_ bytes: [UInt8]) -> [Float] {
        precondition(bytes.count % blockBytes == 0, "\(name): \(bytes.count) bytes is not a whole number of blocks")
        let count = bytes.count / blockBytes * blockSize
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { raw in
                if count > 0 { dequantizeRow(raw.baseAddress!, count: count, into: out.baseAddress!) }
            }
            initialized = count
        }
    }
}

/// Little-endian field loads at any alignment (GGUF data is only 32-byte aligned per tensor, and blocks
/// such as q4_1's 20 bytes leave fields misaligned).
@inline(__always) func loadU8(_ p: UnsafeRawPointer, _ offset: Int) -> UInt8 {
    p.load(fromByteOffset: offset, as: UInt8.self)
}

@inline(__always) func loadHalf(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
    halfBitsToFloat(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
}

@inline(__always) func loadU32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
    UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
}

/// Types with one element per block.
enum GGMLPlain {
    static func f16(_ src: UnsafeRawPointer, _ n: Int, _ y: UnsafeMutablePointer<Float>) {
        for i in 0..<n { y[i] = loadHalf(src, 2 * i) }
    }

    static func bf16(_ src: UnsafeRawPointer, _ n: Int, _ y: UnsafeMutablePointer<Float>) {
        for i in 0..<n {
            y[i] = bfloat16BitsToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
    }

    static func f64(_ src: UnsafeRawPointer, _ n: Int, _ y: UnsafeMutablePointer<Float>) {
        for i in 0..<n {
            y[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
        }
    }

    static func i8(_ src: UnsafeRawPointer, _ n: Int, _ y: UnsafeMutablePointer<Float>) {
        for i in 0..<n { y[i] = Float(src.load(fromByteOffset: i, as: Int8.self)) }
    }

    static func i16(_ src: UnsafeRawPointer, _ n: Int, _ y: UnsafeMutablePointer<Float>) {
        for i in 0..<n { y[i] = Float(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
    }

    static func i32(_ src: UnsafeRawPointer, _ n: Int, _ y: UnsafeMutablePointer<Float>) {
        for i in 0..<n { y[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
    }

    static func i64(_ src: UnsafeRawPointer, _ n: Int, _ y: UnsafeMutablePointer<Float>) {
        for i in 0..<n { y[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
    }
}
