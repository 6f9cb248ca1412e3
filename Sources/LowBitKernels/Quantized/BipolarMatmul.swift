import LowBitCore

/// Bipolar-INT W_qA_p on the CPU with integer dot products (AND + popcount over 64-bit words).
///
/// Weights: q-bit bipolar codes w ∈ [0, 2^q) meaning ŵ = s_w · (2w − (2^q − 1)), stored as bit-planes
/// `[plane][row][wordsPerRow]` (bit k % 64 of word k / 64), zero bits past the last column, fp16 scales per
/// group of `groupSize` columns (a multiple of 64, or the whole row), and Σ w per (row, group).
/// Activations: each token is quantized at run time to p-bit bipolar codes a with one Float scale
/// s_a = absmax / (2^p − 1) (`quantizeActivations`), also split into planes.
/// Per group of K columns (bipolar-int.md §3, the AND form):
///     Σ_k (2a_k − A)(2w_k − W) = 4·Σ a_k w_k − 2W·Σ a_k − 2A·Σ w_k + K·A·W,   A = 2^p − 1, W = 2^q − 1,
///     Σ a_k w_k = Σ_{i<p, j<q} 2^(i+j) · popcount(A_i AND W_j)  (exact in Int).
/// y = Σ_groups s_w · s_a · that. popcount is one `popcnt` instruction with -march=x86-64-v3.
public struct BipolarPlanesView: @unchecked Sendable {
    // @unchecked Sendable: read-only pointers whose owner outlives every call.
    public var rows: Int
    public var cols: Int
    public var weightBits: Int
    public var groupSize: Int
    public var wordsPerRow: Int
    /// [weightBits][rows][wordsPerRow]
    public var planes: UnsafePointer<UInt64>
    /// [rows][groups] fp16
    public var scales: UnsafePointer<Float16>
    /// [rows][groups] Σ codes
    public var codeSums: UnsafePointer<Int32>

    public init(rows: Int, cols: Int, weightBits: Int, groupSize: Int, wordsPerRow: Int,
                planes: UnsafePointer<UInt64>, scales: UnsafePointer<Float16>, codeSums: UnsafePointer<Int32>) {
        precondition(groupSize >= cols || groupSize % 64 == 0)
        self.rows = rows
        self.cols = cols
        self.weightBits = weightBits
        self.groupSize = min(groupSize, max(cols, 1))
        self.wordsPerRow = wordsPerRow
        self.planes = planes
        self.scales = scales
        self.codeSums = codeSums
    }

    public var groups: Int { (cols + groupSize - 1) / groupSize }
}

public enum BipolarMatmul {
    /// p-bit bipolar codes of one token: a = clamp(⌊(x/s + A)/2 + ½⌋, 0, A) with s = absmax/A (1 if all zero),
    /// i.e. the nearest odd level, ties toward +∞. Returns s.
    @inline(__always)
    public static func quantizeActivations(_ x: UnsafePointer<Float>, count: Int, bits: Int,
                                           codes: UnsafeMutablePointer<UInt8>) -> Float {
        let top = Float((1 << bits) - 1)
        var amax: Float = 0
        for k in 0..<count { amax = max(amax, x[k].magnitude) }
        let s = amax > 0 ? amax / top : 1
        let inv = 1 / s
        for k in 0..<count {
            let u = ((x[k] * inv + top) * 0.5 + 0.5).rounded(.down)
            codes[k] = UInt8(min(max(u, 0), top))
        }
        return s
    }

    /// y [tokens, rows] = x̂ [tokens, cols] · Ŵᵀ with per-token p-bit activations.
    public static func matmul(_ w: BipolarPlanesView, activationBits p: Int, x: UnsafePointer<Float>, tokens: Int,
                              y: UnsafeMutablePointer<Float>) {
        precondition((1...8).contains(p))
        let cols = w.cols, wpr = w.wordsPerRow, groups = w.groups, gs = w.groupSize
        let wordsPerGroup = gs >= cols ? wpr : gs / 64
        // Activation planes [token][plane][word] and code sums [token][group].
        let aPlanes = UnsafeMutablePointer<UInt64>.allocate(capacity: tokens * p * wpr)
        let aSums = UnsafeMutablePointer<Int>.allocate(capacity: tokens * groups)
        let aScales = UnsafeMutablePointer<Float>.allocate(capacity: tokens)
        let codes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(cols, 1))
        defer { aPlanes.deallocate(); aSums.deallocate(); aScales.deallocate(); codes.deallocate() }
        aPlanes.initialize(repeating: 0, count: tokens * p * wpr)
        aSums.initialize(repeating: 0, count: tokens * groups)
        for t in 0..<tokens {
            aScales[t] = quantizeActivations(x + t * cols, count: cols, bits: p, codes: codes)
            let planes = aPlanes + t * p * wpr
            for k in 0..<cols {
                let c = codes[k]
                aSums[t * groups + k / gs] += Int(c)
                for i in 0..<p where (c >> UInt8(i)) & 1 == 1 {
                    planes[i * wpr + k >> 6] |= 1 << UInt64(k & 63)
                }
            }
        }
        let A = (1 << p) - 1, W = (1 << w.weightBits) - 1, q = w.weightBits, rows = w.rows
        Parallel.forRanges(count: rows, granule: 8, oversubscribe: 4) { range in
            for r in range {
                for t in 0..<tokens {
                    let ap = aPlanes + t * p * wpr
                    var total: Float = 0
                    for g in 0..<groups {
                        let w0 = g * wordsPerGroup, w1 = min(wpr, w0 + wordsPerGroup)
                        var andSum = 0
                        for j in 0..<q {
                            let wp = w.planes + (j * rows + r) * wpr
                            for i in 0..<p {
                                let xp = ap + i * wpr
                                var c = 0
                                for word in w0..<w1 { c &+= (xp[word] & wp[word]).nonzeroBitCount }
                                andSum &+= c &<< (i + j)
                            }
                        }
                        let K = min(cols, (g + 1) * gs) - g * gs
                        let dot = 4 * andSum - 2 * W * aSums[t * groups + g]
                            - 2 * A * Int(w.codeSums[r * groups + g]) + K * A * W
                        total += Float(w.scales[r * groups + g]) * Float(dot)
                    }
                    y[t * rows + r] = total * aScales[t]
                }
            }
        }
    }
}
