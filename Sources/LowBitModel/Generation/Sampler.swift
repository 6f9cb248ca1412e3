import Foundation
import LowBitCore

/// Sampling settings. temperature 0 = greedy (argmax).
public struct SamplingParameters: Sendable, Equatable {
    public var temperature: Float
    public var topK: Int
    public var topP: Float
    public var seed: UInt64

    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
    }

    public func validate() throws {
        guard temperature >= 0, temperature.isFinite else {
            throw LowBitError.invalidArgument("--temperature", "must be ≥ 0, got \(temperature)")
        }
        guard topK >= 0 else { throw LowBitError.invalidArgument("--top-k", "must be ≥ 0 (0 = off), got \(topK)") }
        guard topP > 0, topP <= 1 else { throw LowBitError.invalidArgument("--top-p", "must be in (0, 1], got \(topP)") }
    }
}

/// xoshiro256** seeded through SplitMix64: the same seed gives the same tokens on every platform.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var splitmix = SplitMix64(seed: seed)
        s = (splitmix.next(), splitmix.next(), splitmix.next(), splitmix.next())
    }

    public mutating func next() -> UInt64 {
        func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }
}

public struct Sampler: Sendable {
    public let parameters: SamplingParameters
    var rng: SeededGenerator

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        rng = SeededGenerator(seed: parameters.seed)
    }

    /// The next token from one position's logits.
    public mutating func sample(_ logits: ArraySlice<Float>) -> Int {
        let base = logits.startIndex
        if parameters.temperature == 0 {
            var best = base
            for i in logits.indices where logits[i] > logits[best] { best = i }
            return best - base
        }
        // Candidates sorted by logit (top-k first cuts the sort when set).
        var order = Array(0..<logits.count)
        if parameters.topK > 0 && parameters.topK < order.count {
            order.sort { logits[base + $0] > logits[base + $1] }
            order.removeLast(order.count - parameters.topK)
        } else {
            order.sort { logits[base + $0] > logits[base + $1] }
        }
        let maxLogit = logits[base + order[0]]
        var probs = order.map { Double(exp((logits[base + $0] - maxLogit) / parameters.temperature)) }
        let total = probs.reduce(0, +)
        for i in probs.indices { probs[i] /= total }
        // Nucleus: the smallest prefix whose mass reaches top-p.
        var keep = probs.count
        if parameters.topP < 1 {
            var mass = 0.0
            for (i, p) in probs.enumerated() {
                mass += p
                if mass >= Double(parameters.topP) { keep = i + 1; break }
            }
        }
        let kept = probs.prefix(keep).reduce(0, +)
        let r = Double(rng.next() >> 11) / Double(1 << 53) * kept
        var acc = 0.0
        for i in 0..<keep {
            acc += probs[i]
            if r < acc { return order[i] }
        }
        return order[keep - 1]
    }
}
