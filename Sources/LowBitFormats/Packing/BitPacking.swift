import LowBitCore

/// Dense packing of n-bit codes (n = 1…8), two layouts:
///
/// - **MSB-first bytes** (`packMSBFirst`): codes are concatenated into one bit stream whose first bit is the
///   most significant bit of byte 0; each code is written most significant bit first. Code i occupies
///   stream bits [i·n, i·n + n), so a code may straddle two bytes (FP6: 4 codes in 3 bytes, the input layout of
///   fp6_llm's pre-packer). The last byte is padded with zero bits. Size ⌈count·n / 8⌉ bytes.
/// - **Little-endian UInt32 words** (`packWords`): stream bit k is bit k % 32 (LSB = bit 0) of word k / 32, and
///   bit j of code i is stream bit i·n + j. For n dividing 32, word w holds codes 32/n·w … with code i at
///   shift (i mod 32/n)·n (the GPTQ/AWQ-style order); for n = 3, 5, 6, 7 codes straddle words. Written to disk
///   as little-endian words this is the same stream read LSB-first byte by byte. The last word is padded with
///   zero bits. Size ⌈count·n / 32⌉ words.
///
/// Packing throws if a code does not fit in n bits; unpacking throws if the input is too short.
public enum BitPacking {
    public static func packedByteCount(count: Int, bits: Int) -> Int { (count * bits + 7) / 8 }
    public static func packedWordCount(count: Int, bits: Int) -> Int { (count * bits + 31) / 32 }

    public static func packMSBFirst(_ codes: UnsafeBufferPointer<UInt8>, bits: Int) throws -> [UInt8] {
        try checkBits(bits, 1...8, "bit packing width")
        try checkFits(codes, bits: bits)
        var out = [UInt8](repeating: 0, count: packedByteCount(count: codes.count, bits: bits))
        out.withUnsafeMutableBufferPointer { o in
            var acc: UInt32 = 0, filled = 0, k = 0
            let b = UInt32(bits)
            for c in codes {
                acc = (acc &<< b) | UInt32(c)
                filled += bits
                if filled >= 8 {
                    filled -= 8
                    o[k] = UInt8(truncatingIfNeeded: acc >> UInt32(filled))
                    k += 1
                }
            }
            if filled > 0 { o[k] = UInt8(truncatingIfNeeded: acc << UInt32(8 - filled)) }
        }
        return out
    }

    public static func unpackMSBFirst(_ bytes: UnsafeBufferPointer<UInt8>, bits: Int, count: Int) throws -> [UInt8] {
        try checkBits(bits, 1...8, "bit packing width")
        let needed = packedByteCount(count: count, bits: bits)
        guard count >= 0, bytes.count >= needed else {
            throw LowBitError.invalidArgument("packed codes", "\(bytes.count) bytes hold fewer than \(count) \(bits)-bit codes (need \(needed))")
        }
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { o in
            var acc: UInt32 = 0, filled = 0, k = 0, i = 0
            let mask = UInt32((1 << bits) - 1)
            while i < count {
                if filled < bits {
                    acc = (acc &<< 8) | UInt32(bytes[k])
                    k += 1
                    filled += 8
                }
                while filled >= bits && i < count {
                    filled -= bits
                    o[i] = UInt8(truncatingIfNeeded: (acc >> UInt32(filled)) & mask)
                    i += 1
                }
            }
        }
        return out
    }

    public static func packWords(_ codes: UnsafeBufferPointer<UInt8>, bits: Int) throws -> [UInt32] {
        try checkBits(bits, 1...8, "bit packing width")
        try checkFits(codes, bits: bits)
        var out = [UInt32](repeating: 0, count: packedWordCount(count: codes.count, bits: bits))
        out.withUnsafeMutableBufferPointer { o in
            var acc: UInt64 = 0, filled = 0, k = 0
            for c in codes {
                acc |= UInt64(c) << UInt64(filled)
                filled += bits
                if filled >= 32 {
                    o[k] = UInt32(truncatingIfNeeded: acc)
                    k += 1
                    acc >>= 32
                    filled -= 32
                }
            }
            if filled > 0 { o[k] = UInt32(truncatingIfNeeded: acc) }
        }
        return out
    }

    public static func unpackWords(_ words: UnsafeBufferPointer<UInt32>, bits: Int, count: Int) throws -> [UInt8] {
        try checkBits(bits, 1...8, "bit packing width")
        let needed = packedWordCount(count: count, bits: bits)
        guard count >= 0, words.count >= needed else {
            throw LowBitError.invalidArgument("packed codes", "\(words.count) words hold fewer than \(count) \(bits)-bit codes (need \(needed))")
        }
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { o in
            var acc: UInt64 = 0, filled = 0, k = 0
            let mask = UInt64((1 << bits) - 1)
            for i in 0..<count {
                if filled < bits {
                    acc |= UInt64(words[k]) << UInt64(filled)
                    k += 1
                    filled += 32
                }
                o[i] = UInt8(truncatingIfNeeded: acc & mask)
                acc >>= UInt64(bits)
                filled -= bits
            }
        }
        return out
    }

    // Array conveniences.
    public static func packMSBFirst(_ codes: [UInt8], bits: Int) throws -> [UInt8] {
        try codes.withUnsafeBufferPointer { try packMSBFirst($0, bits: bits) }
    }
    public static func unpackMSBFirst(_ bytes: [UInt8], bits: Int, count: Int) throws -> [UInt8] {
        try bytes.withUnsafeBufferPointer { try unpackMSBFirst($0, bits: bits, count: count) }
    }
    public static func packWords(_ codes: [UInt8], bits: Int) throws -> [UInt32] {
        try codes.withUnsafeBufferPointer { try packWords($0, bits: bits) }
    }
    public static func unpackWords(_ words: [UInt32], bits: Int, count: Int) throws -> [UInt8] {
        try words.withUnsafeBufferPointer { try unpackWords($0, bits: bits, count: count) }
    }

    private static func checkFits(_ codes: UnsafeBufferPointer<UInt8>, bits: Int) throws {
        guard bits < 8 else { return }
        var any: UInt8 = 0
        for c in codes { any |= c }
        if any >> UInt8(bits) != 0 {
            let i = codes.firstIndex { $0 >> UInt8(bits) != 0 }!
            throw LowBitError.invalidArgument("packed codes", "code \(codes[i]) at index \(i) does not fit in \(bits) bits")
        }
    }
}
