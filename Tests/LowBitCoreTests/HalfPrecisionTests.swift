import Testing
@testable import LowBitCore

@Suite struct HalfPrecisionTests {
    /// Every bfloat16 bit pattern survives bf16 -> float -> bf16 (NaNs stay NaN).
    @Test func bfloat16RoundTripIsExhaustive() {
        for bits in 0...UInt16.max {
            let f = bfloat16BitsToFloat(bits)
            let back = floatToBFloat16Bits(f)
            if f.isNaN {
                #expect(bfloat16BitsToFloat(back).isNaN)
            } else {
                #expect(back == bits, "bits \(bits)")
            }
        }
    }

    /// Rounding to bfloat16 is to nearest, ties to even, checked against a float64 reference on the
    /// midpoints and their neighbours.
    @Test func bfloat16RoundsToNearestEven() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let hi = UInt16.random(in: 0..<0x7F7F, using: &generator)
            let low = bfloat16BitsToFloat(hi)
            let high = bfloat16BitsToFloat(hi + 1)
            let mid = Float((Double(low) + Double(high)) / 2)
            #expect(floatToBFloat16Bits(mid) == (hi & 1 == 0 ? hi : hi + 1))
            #expect(floatToBFloat16Bits(mid.nextDown) == hi)
            #expect(floatToBFloat16Bits(mid.nextUp) == hi + 1)
        }
    }

    @Test func halfMatchesFloat16() {
        for bits in 0...UInt16.max {
            let f = halfBitsToFloat(bits)
            if f.isNaN { continue }
            #expect(floatToHalfBits(f) == bits)
        }
    }

    @Test func parallelRangesCoverEverythingOnce() {
        for count in [0, 1, 7, 64, 1000, 4097] {
            for granule in [1, 4, 64] {
                let counter = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
                counter.initialize(repeating: 0, count: max(count, 1))
                Parallel.forRanges(count: count, granule: granule, oversubscribe: 3) { range in
                    #expect(range.lowerBound % granule == 0)
                    for i in range { counter[i] += 1 }
                }
                for i in 0..<count { #expect(counter[i] == 1) }
                counter.deallocate()
            }
        }
    }
}
