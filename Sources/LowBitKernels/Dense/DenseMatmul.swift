import LowBitCore

/// Dense linear layers: y[t, r] = Σ_c W[r, c] · x[t, c] for row-major W [rows, cols] in Float or Float16,
/// activations x [tokens, cols] and outputs y [tokens, rows] (Float, contiguous rows).
///
/// Rows are split over the threads (Parallel); each thread walks its rows once and, for each row, all the
/// tokens, so a weight row is read from memory once per call while it is hot in cache.
public enum DenseMatmul {
    /// Rows per parallel chunk: big enough to amortize the dispatch, small enough to balance two cores.
    static let rowGranule = 16

    public static func f32(weights: UnsafePointer<Float>, rows: Int, cols: Int,
                           x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(count: rows, granule: rowGranule, oversubscribe: 4) { range in
            for r in range {
                let w = weights + r * cols
                for t in 0..<tokens {
                    y[t * rows + r] = dot(w, x + t * cols, cols)
                }
            }
        }
    }

    public static func f16(weights: UnsafePointer<Float16>, rows: Int, cols: Int,
                           x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(count: rows, granule: rowGranule, oversubscribe: 4) { range in
            for r in range {
                let w = weights + r * cols
                for t in 0..<tokens {
                    y[t * rows + r] = dot(w, x + t * cols, cols)
                }
            }
        }
    }
}
