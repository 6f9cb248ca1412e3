import LowBitCore

/// Random weights for benches and self-tests of every weight-only GEMM: uniform b-bit codes and fp16 scales
/// in [0.5, 1.5)/16, each a fixed function of the seed. Codes are generated in parallel (a 57344×8192 matrix
/// is 470M codes), each range from its own generator so the result does not depend on the thread count.
public enum RandomWeightCodes {
    public static func codes(count: Int, bits: Int, seed: UInt64) -> [UInt8] {
        var codes = [UInt8](repeating: 0, count: count)
        let mask = UInt64((1 << bits) - 1)
        codes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            Parallel.forRanges(count: count, granule: 1 << 16) { range in
                var rng = SplitMix64(seed: seed ^ (UInt64(range.lowerBound) &* 0x9E37_79B9_7F4A_7C15))
                var i = range.lowerBound
                while i < range.upperBound {
                    var r = rng.next()
                    let end = min(range.upperBound, i + 8)
                    while i < end { base[i] = UInt8(truncatingIfNeeded: r & mask); r >>= 8; i += 1 }
                }
            }
        }
        return codes
    }

    /// fp16 bits of scales in [0.5, 1.5)/16 (small enough that fp16 outputs of long dot products stay finite).
    public static func scales(count: Int, seed: UInt64) -> [UInt16] {
        var rng = SplitMix64(seed: seed &+ 1)
        return (0..<count).map { _ in floatToHalfBits((0.5 + Float(rng.next() >> 40) / 16_777_216.0) / 16) }
    }
}
