/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64). The same seed gives the same
/// sequence on every platform: tests, benches and self-tests use it so that a failure reproduces from its
/// printed seed, and the sampler seeds xoshiro256** with it.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
