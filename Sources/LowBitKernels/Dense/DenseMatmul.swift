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
        if tokens > 1 {
            Parallel.forRanges(count: rows, granule: rowGranule, oversubscribe: 4) { range in
                var r = range.lowerBound
                while r < range.upperBound {
                    let nr = min(4, range.upperBound - r)
                    MatmulTile.rows4(weights + r * cols, rowCount: nr, cols: cols, x: x, tokens: tokens, y: y + r, ldy: rows)
                    r += nr
                }
            }
            return
        }
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
        if tokens > 1 {
            // Widen 4 rows at a time into a scratch tile, then the Float register tile.
            Parallel.forRanges(count: rows, granule: rowGranule, oversubscribe: 4) { range in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 4 * cols)
                defer { scratch.deallocate() }
                var r = range.lowerBound
                while r < range.upperBound {
                    let nr = min(4, range.upperBound - r)
                    for i in 0..<(nr * cols) { scratch[i] = Float(weights[r * cols + i]) }
                    MatmulTile.rows4(scratch, rowCount: nr, cols: cols, x: x, tokens: tokens, y: y + r, ldy: rows)
                    r += nr
                }
            }
            return
        }
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
