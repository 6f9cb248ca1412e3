import LowBitCore

/// Measures the machine's memory-read bandwidth the way a decode step reads weights: all threads stream
/// disjoint parts of a buffer much larger than the caches, summing it with SIMD loads.
public enum MemoryBandwidth {
    /// Best of `repeats` full passes over `bytes` bytes, in bytes per second.
    public static func measureRead(bytes: Int = 512 << 20, repeats: Int = 5) -> Double {
        let count = bytes / 4
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        // Touch every page so the first timed pass does not measure page faults.
        buffer.initialize(repeating: 1, count: count)
        var best = 0.0
        for _ in 0..<repeats {
            let start = monotonicSeconds()
            let total = sum(buffer, count)
            let seconds = monotonicSeconds() - start
            precondition(total > 0)  // keeps the reads from being optimized away
            best = max(best, Double(count * 4) / seconds)
        }
        return best
    }

    static func sum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
        let chunks = Parallel.threadCount * 4
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: chunks)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: chunks)
        Parallel.forEach(chunks: chunks) { c in
            let per = count / chunks / 32 * 32
            let start = c * per
            let end = c == chunks - 1 ? count : start + per
            var a = SIMD8<Float>(), b = SIMD8<Float>(), d = SIMD8<Float>(), e = SIMD8<Float>()
            var i = start
            while i + 32 <= end {
                a += load8(p + i); b += load8(p + i + 8); d += load8(p + i + 16); e += load8(p + i + 24)
                i += 32
            }
            var s = ((a + b) + (d + e)).sum()
            while i < end { s += p[i]; i += 1 }
            partial[c] = s
        }
        var total: Float = 0
        for c in 0..<chunks { total += partial[c] }
        return total
    }
}
