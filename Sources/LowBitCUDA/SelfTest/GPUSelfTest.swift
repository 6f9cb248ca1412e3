import Foundation
import LowBitCore

/// One GPU correctness check for `lowbit selftest --device cuda`: runs a kernel on fresh random inputs
/// and compares it with a CPU reference. Return an outcome; throw for errors (reported as FAIL).
public struct GPUSelfTest: Sendable {
    public let name: String
    public let run: @Sendable (GPUSelfTestContext) throws -> GPUSelfTestOutcome

    public init(_ name: String, run: @escaping @Sendable (GPUSelfTestContext) throws -> GPUSelfTestOutcome) {
        self.name = name
        self.run = run
    }
}

/// What a self-test gets: the context, a stream, and a random generator seeded afresh for each run
/// (the seed is printed on failure so a run can be repeated with LOWBIT_SELFTEST_SEED).
public final class GPUSelfTestContext: @unchecked Sendable {  // used by one test at a time
    public let context: CUDAContext
    public let stream: CUDAStream
    public let seed: UInt64
    public var random: SplitMix64

    public init(context: CUDAContext, stream: CUDAStream, seed: UInt64) {
        self.context = context
        self.stream = stream
        self.seed = seed
        self.random = SplitMix64(seed: seed)
    }

    /// `count` floats uniform in [-scale, scale).
    public func uniformFloats(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in (Float(random.next() >> 40) * (2.0 / 16_777_216.0) - 1) * scale }
    }
}

/// A pass/fail result with the measured error metric.
public struct GPUSelfTestOutcome: Sendable {
    public let passed: Bool
    /// e.g. "rel err 3.1e-04 (bound 2e-03)" or "exact (4194304 words)".
    public let detail: String

    public init(passed: Bool, detail: String) {
        self.passed = passed
        self.detail = detail
    }

    /// Passes iff `metric` ≤ `bound` (NaN fails).
    public init(metric: Double, bound: Double, name: String = "rel err") {
        passed = metric <= bound
        detail = "\(name) \(formatScientific(metric)) (bound \(formatScientific(bound)))"
    }

    /// Passes iff `mismatches` is 0.
    public static func exact(mismatches: Int, of count: Int, firstMismatch: String = "") -> GPUSelfTestOutcome {
        mismatches == 0
            ? GPUSelfTestOutcome(passed: true, detail: "exact (\(count) elements)")
            : GPUSelfTestOutcome(passed: false, detail: "\(mismatches) of \(count) elements differ\(firstMismatch.isEmpty ? "" : "; first: " + firstMismatch)")
    }
}

/// ‖out − ref‖₂ / ‖ref‖₂ in float64; +∞ when any output is NaN/∞ or the counts differ.
public func relativeError(_ out: [Double], _ ref: [Double]) -> Double {
    guard out.count == ref.count else { return .infinity }
    var num = 0.0, den = 0.0
    for i in 0..<out.count {
        if !out[i].isFinite { return .infinity }
        let d = out[i] - ref[i]
        num += d * d
        den += ref[i] * ref[i]
    }
    if den == 0 { return num == 0 ? 0 : .infinity }
    return (num / den).squareRoot()
}

public func relativeError(_ out: [Float], _ ref: [Double]) -> Double {
    relativeError(out.map(Double.init), ref)
}

func formatScientific(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return "inf" }
    return String(format: "%.2e", x)
}

/// Runs self-tests and prints one line each.
public enum GPUSelfTestRunner {
    public struct Result: Sendable {
        public let name: String
        public let passed: Bool
        public let detail: String
        public let seconds: Double
    }

    /// Runs each test with a fresh seed (or $LOWBIT_SELFTEST_SEED), printing `PASS`/`FAIL` lines through `print`.
    public static func run(_ tests: [GPUSelfTest], context: CUDAContext,
                           print: (String) -> Void) throws -> [Result] {
        let stream = try context.makeStream()
        var results: [Result] = []
        var seedSource = SystemRandomNumberGenerator()
        let fixedSeed = getEnvironment("LOWBIT_SELFTEST_SEED").flatMap { UInt64($0) }
        for test in tests {
            let seed = fixedSeed ?? seedSource.next()
            let start = monotonicSeconds()
            var passed = false
            var detail: String
            do {
                let outcome = try test.run(GPUSelfTestContext(context: context, stream: stream, seed: seed))
                passed = outcome.passed
                detail = outcome.detail
                // An asynchronous fault of this test must not be blamed on the next one.
                try context.synchronize()
            } catch {
                detail = "error: \(error)"
                passed = false
            }
            let seconds = monotonicSeconds() - start
            if !passed { detail += " [seed \(seed)]" }
            print("\(passed ? "PASS" : "FAIL")  \(test.name)  \(detail)")
            results.append(Result(name: test.name, passed: passed, detail: detail, seconds: seconds))
        }
        return results
    }
}
