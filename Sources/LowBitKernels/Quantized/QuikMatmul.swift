import LowBitCore
import LowBitFormats

/// QUIK on the CPU: integer weights × per-token asymmetric integer activations, plus fp16 outlier columns.
///
/// Weights over the inlier columns (ascending order): symmetric b-bit codes c (ŵ = s_w·(c − 2^(b−1)), one fp16
/// scale per row), packed MSB-first per row like `CodeMatrixView`; the outlier columns' weights stay fp16
/// [rows][outliers]; `rowSums[r]` = Σ_k ŵ[r, k] over the inliers (QUIK's wReduced).
/// Activations: `QuantizedActivations` (per token s, z; q = round((x − z)/s) − 2^(p−1) as Int8), so
/// x̂ = s·(q + 2^(p−1)) + z and (quik.md §5, Eq. 1)
///     y = s·s_w·Σ_k q_k·(c_k − 2^(b−1)) + (z + 2^(p−1)·s)·rowSums + Σ_o x_o·w_o.
/// The integer sum runs in Int32 SIMD lanes (exact: |q|·|c − 2^(b−1)| ≤ 2^14 per term).
public struct QuikWeightsView: @unchecked Sendable {
    // @unchecked Sendable: read-only pointers whose owner outlives every call.
    public var rows: Int
    public var inliers: Int
    public var bits: Int
    public var codes: UnsafePointer<UInt8>
    public var rowBytes: Int
    public var scales: UnsafePointer<Float16>
    public var rowSums: UnsafePointer<Float>
    public var outlierCount: Int
    /// [rows][outlierCount]
    public var outlierWeights: UnsafePointer<Float16>

    public init(rows: Int, inliers: Int, bits: Int, codes: UnsafePointer<UInt8>, rowBytes: Int,
                scales: UnsafePointer<Float16>, rowSums: UnsafePointer<Float>, outlierCount: Int,
                outlierWeights: UnsafePointer<Float16>) {
        self.rows = rows
        self.inliers = inliers
        self.bits = bits
        self.codes = codes
        self.rowBytes = rowBytes
        self.scales = scales
        self.rowSums = rowSums
        self.outlierCount = outlierCount
        self.outlierWeights = outlierWeights
    }
}

public enum QuikMatmul {
    /// y [tokens, rows] from already quantized activations (their outlier split must match the weights').
    public static func matmul(_ w: QuikWeightsView, activations a: QuantizedActivations, y: UnsafeMutablePointer<Float>) {
        let unpack = CodeUnpacker(bits: w.bits)
        let n = w.inliers, offset = Int32(1 << (w.bits - 1)), aOffset = Float(1 << (a.bits - 1))
        let tokens = a.rows, rows = w.rows, nOut = w.outlierCount
        precondition(a.quantizedColumns == n && a.outlierValues.count == tokens * nOut)
        // Activations widened to Int32 once (vpmulld lanes), 8 spare zeros for the last SIMD load.
        let wide = UnsafeMutablePointer<Int32>.allocate(capacity: tokens * n + 8)
        defer { wide.deallocate() }
        wide.initialize(repeating: 0, count: tokens * n + 8)
        for i in 0..<(tokens * n) { wide[i] = Int32(a.values[i]) }
        a.outlierValues.withUnsafeBufferPointer { ob in
            do {
                let values = UnsafePointer(wide), outl = ob.baseAddress
                Parallel.forRanges(count: rows, granule: 8, oversubscribe: 4) { range in
                    for r in range {
                        let row = w.codes + r * w.rowBytes
                        let sw = Float(w.scales[r])
                        let ow = w.outlierWeights + r * nOut
                        for t in 0..<tokens {
                            let q = values + t * n
                            var acc = SIMD8<Int32>()
                            var k = 0
                            while k + 8 <= n {
                                let c = unsafeBitCast(unpack.codes8(row, k), to: SIMD8<Int32>.self) &- offset
                                let xq = UnsafeRawPointer(q + k).loadUnaligned(as: SIMD8<Int32>.self)
                                acc &+= c &* xq
                                k += 8
                            }
                            var isum = Int(acc.wrappedSum())
                            while k < n {
                                isum += Int(q[k]) * (Int(unpack.code(row, k)) - Int(offset))
                                k += 1
                            }
                            let s = Float(Float16(bitPattern: a.scales[t])), z = Float(Float16(bitPattern: a.zeros[t]))
                            var out = s * sw * Float(isum) + (z + aOffset * s) * w.rowSums[r]
                            if nOut > 0, let outl {
                                out += dot(ow, outl + t * nOut, nOut)
                            }
                            y[t * rows + r] = out
                        }
                    }
                }
            }
        }
    }
}
