import Dispatch

/// Work splitting for CPU kernels. `LOWBIT_THREADS` overrides the thread count (default: all cores).
public enum Parallel {
    public static let threadCount: Int = {
        if let text = getEnvironment("LOWBIT_THREADS"), let n = Int(text), n > 0 { return n }
        return max(1, activeProcessorCount())
    }()

    /// Runs `body(chunkIndex)` for chunkIndex in 0..<chunks, spread over the threads.
    /// Runs inline when there is one chunk or one thread (no dispatch overhead for small work).
    @inlinable
    public static func forEach(chunks: Int, _ body: (Int) -> Void) {
        if chunks <= 0 { return }
        if chunks == 1 || threadCount == 1 {
            for i in 0..<chunks { body(i) }
            return
        }
        // Kernels hand in closures over unsafe buffers that are not Sendable; each chunk touches a
        // disjoint part of them, which is the caller's contract.
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: chunks) { work($0) }
        }
    }

    /// Splits 0..<count into about `threadCount * oversubscribe` contiguous ranges, each a multiple of
    /// `granule` long (except the last), and runs `body(range)` on each.
    @inlinable
    public static func forRanges(count: Int, granule: Int = 1, oversubscribe: Int = 1,
                                 _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let granules = (count + granule - 1) / granule
        let pieces = min(granules, threadCount * max(1, oversubscribe))
        let perPiece = (granules + pieces - 1) / pieces
        let pieceCount = (granules + perPiece - 1) / perPiece
        forEach(chunks: pieceCount) { piece in
            let start = piece * perPiece * granule
            let end = min(count, start + perPiece * granule)
            if start < end { body(start..<end) }
        }
    }
}
