import LowBitIO
import Testing

/// The statistics behind `lowbit info --check`, against a plain scalar loop.
@Suite struct TensorValueStatsTests {
    @Test(arguments: [0, 1, 7, 8, 9, 4095, 4096, 4097, 10_001]) func matchesScalarLoop(count: Int) {
        var rng = SystemRandomNumberGenerator()
        var values = (0..<count).map { _ in Float.random(in: -3...2, using: &rng) }
        for k in stride(from: 3, to: count, by: 97) { values[k] = [Float.nan, .infinity, -.infinity][k % 3] }
        let stats = values.withUnsafeBufferPointer { TensorValueStats(name: "t", values: $0) }
        let finite = values.filter { $0.isFinite }
        #expect(stats.elements == count)
        #expect(stats.nonFinite == count - finite.count)
        #expect(stats.min == (finite.min() ?? 0) && stats.max == (finite.max() ?? 0))
        let mean = finite.isEmpty ? 0 : finite.reduce(0.0) { $0 + Double(abs($1)) } / Double(finite.count)
        #expect(abs(stats.meanAbs - mean) <= 1e-5 * max(1, mean))
    }
}
