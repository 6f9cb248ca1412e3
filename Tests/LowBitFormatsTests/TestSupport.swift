import LowBitCore
import Foundation

/// Seeds for the randomized tests (generator: LowBitCore.SplitMix64). Each test makes its own from
/// `TestSeed.make(name)` and prints the seed, so a failure reproduces with LOWBIT_TEST_SEED=<seed>.
enum TestSeed {
    static func make(_ test: String) -> SplitMix64 {
        let seed: UInt64
        if let text = ProcessInfo.processInfo.environment["LOWBIT_TEST_SEED"], let s = UInt64(text) {
            seed = s
        } else {
            seed = UInt64.random(in: 0..<UInt64(1) << 48)
        }
        print("\(test): seed \(seed) (rerun with LOWBIT_TEST_SEED=\(seed))")
        return SplitMix64(seed: seed)
    }
}

extension SplitMix64 {
    /// Gaussian-ish weights (sum of uniforms) with occasional large outliers and exact zeros.
    mutating func weights(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in
            let u = Float.random(in: 0..<1, using: &self)
            if u < 0.01 { return 0 }
            let g = (0..<4).reduce(Float(0)) { acc, _ in acc + Float.random(in: -1...1, using: &self) }
            return (u > 0.99 ? 8 * g : g) * scale
        }
    }
}

/// All FPx (E, M) with E ≥ 1, M ≥ 0, 1 + E + M ≤ 8.
let allFPxShapes: [(e: Int, m: Int)] = (1...7).flatMap { e in (0...(7 - e)).map { (e, $0) } }

/// True when the Float64 quotient is so close to a rounding tie (k + ½) that Float32 division may land on
/// the other side; reference comparisons skip only those.
func nearTie(_ q: Double) -> Bool {
    let f = q - q.rounded(.down)
    return abs(f - 0.5) <= 1e-6 * max(1, abs(q))
}
