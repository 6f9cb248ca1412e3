import LowBitCore

/// Timing of GPU work the way gpu.md's "Timing small kernels" says: the repetitions are queued behind a
/// spin kernel so the host is ahead of the GPU (no launch gaps in the numbers), an event is recorded
/// between consecutive repetitions, and the median of the per-repetition times is reported. Rotate inputs
/// over more than 4× the L2 (`rotationCount`) so every repetition reads device memory.
///
///     let t = try CUDATimer.measure(context: ctx, stream: s, repetitions: 100) { i in
///         try blas.linear(x: x, w: weights[i % weights.count], out: y, rows: 1, outFeatures: 8192, inFeatures: 8192)
///     }
///     print(t.medianMicroseconds, t.hostWasAhead)
public enum CUDATimer {
    /// Times `enqueue(i)` (which must only queue work on `stream`) for i in 0..<repetitions, after `warmup`
    /// untimed calls. `spinMicroseconds` defaults to 1.5× the host time the warm-up calls took to queue
    /// per repetition times `repetitions` (at least 200 µs, at most 500 ms).
    public static func measure(context: CUDAContext, stream: CUDAStream, warmup: Int = 5, repetitions: Int = 50,
                               spinMicroseconds: Double? = nil,
                               _ enqueue: (Int) throws -> Void) throws -> CUDATiming {
        precondition(repetitions > 0)
        let spin = try context.kernels.function("lowbit_spin", in: .core)
        // Warm-up: module loads, cuBLAS heuristics, clocks up; measures the host's cost per call.
        let hostStart = monotonicSeconds()
        for i in 0..<max(warmup, 1) { try enqueue(i) }
        let hostPerCall = (monotonicSeconds() - hostStart) / Double(max(warmup, 1))
        try stream.synchronize()

        let events = try (0...repetitions).map { _ in try context.makeEvent() }
        let spinUS = spinMicroseconds ?? min(500_000, max(200, hostPerCall * 1e6 * Double(repetitions) * 1.5 + 50))
        try spin.launch(grid: 1, block: 1, stream: stream, UInt64(spinUS * 1000))
        try stream.record(events[0])
        for i in 0..<repetitions {
            try enqueue(i)
            try stream.record(events[i + 1])
        }
        // If the spin is already over, the GPU may have waited for the host between repetitions.
        let hostAhead = !(try events[0].isComplete())
        try stream.synchronize()
        var samples: [Double] = []
        samples.reserveCapacity(repetitions)
        for i in 0..<repetitions {
            samples.append(try events[i + 1].elapsedMilliseconds(since: events[i]) * 1000)
        }
        let total = try events[repetitions].elapsedMilliseconds(since: events[0]) * 1000
        return CUDATiming(samplesMicroseconds: samples, totalMicroseconds: total, hostWasAhead: hostAhead)
    }

    /// How many copies of a `bytesPerSet` input to rotate through so that their total exceeds 4× the L2
    /// (at least 2), so no repetition finds its input in the cache.
    public static func rotationCount(bytesPerSet: Int, l2Bytes: Int) -> Int {
        guard bytesPerSet > 0 else { return 2 }
        return max(2, (4 * l2Bytes) / bytesPerSet + 1)
    }
}

/// Per-repetition times of one measurement.
public struct CUDATiming: Sendable, Codable {
    public let samplesMicroseconds: [Double]
    /// First event to last: all repetitions back to back.
    public let totalMicroseconds: Double
    /// False when the GPU caught up with the host during the timed repetitions (then times include gaps).
    public let hostWasAhead: Bool

    public var sorted: [Double] { samplesMicroseconds.sorted() }
    public var medianMicroseconds: Double {
        let s = sorted
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    public var minMicroseconds: Double { sorted.first ?? 0 }
    public var maxMicroseconds: Double { sorted.last ?? 0 }
    public var meanMicroseconds: Double { totalMicroseconds / Double(max(samplesMicroseconds.count, 1)) }
    /// Median seconds.
    public var seconds: Double { medianMicroseconds * 1e-6 }
}
