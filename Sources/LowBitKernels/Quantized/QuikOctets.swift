#if arch(x86_64) && os(Linux)
import _Builtin_intrinsics.intel
#endif
import LowBitCore
import LowBitFormats

/// QUIK weights of 1–4 bits repacked into `OctetLayout` (8 rows interleaved per block of 32 inlier columns) for
/// vpmaddubsw (docs/cpu-kernels.md, q1): the unsigned codes c (≤ 15) times the per-token signed activation codes q
/// (`QuantizedActivations.values`, |q| ≤ 128) broadcast 4 at a time to the 8 rows; 8 slots summed in int16
/// (8·2·15·128 = 30720 < 32768), one vpmaddwd per block. Σ_k q_k·(c_k − 2^(b−1)) = Σ c·q − 2^(b−1)·Σ q exactly, so
/// the result is `QuikMatmul`'s (same integer sum, same Float epilogue; the outlier columns' fp16 dot as there).
public final class QuikOctets: @unchecked Sendable {
    // @unchecked Sendable: immutable after init; the buffers are owned here (the outlier weights by the view's owner).
    public let rows: Int
    public let inliers: Int
    public let bits: Int
    let blocks: Int
    let octetBytes: Int
    let codes: UnsafeMutableRawPointer
    let view: QuikWeightsView

    public static func supports(_ w: QuikWeightsView) -> Bool {
        #if arch(x86_64) && os(Linux)
        return (1...4).contains(w.bits) && w.rows > 0 && w.inliers > 0
        #else
        return false
        #endif
    }

    /// Repacks `w`'s codes (nil when `supports` is false). `w`'s buffers must outlive this object (outliers, scales
    /// and row sums are read from them).
    public init?(_ w: QuikWeightsView) {
        guard Self.supports(w) else { return nil }
        view = w
        rows = w.rows
        inliers = w.inliers
        bits = w.bits
        blocks = (inliers + 31) / 32
        let layout = OctetLayout(bits: bits)
        octetBytes = blocks * layout.recordBytes
        let octets = (rows + 7) / 8
        codes = .allocate(byteCount: octets * octetBytes + 32, alignment: 64)
        codes.initializeMemory(as: UInt8.self, repeating: 0, count: octets * octetBytes + 32)
        let unpack = CodeUnpacker(bits: bits), out = codes, octetBytes = octetBytes, n = inliers, rows = rows
        Parallel.forRanges(count: rows, granule: 8) { range in
            for r in range {
                let row = w.codes + r * w.rowBytes
                for k in 0..<n {
                    layout.place(UInt8(truncatingIfNeeded: unpack.code(row, k)), row: r & 7, element: k & 31,
                                 record: out + (r >> 3) * octetBytes + (k >> 5) * layout.recordBytes)
                }
            }
        }
    }

    deinit { codes.deallocate() }

    /// y [tokens, rows] from already quantized activations (as `QuikMatmul.matmul`).
    public func matmul(activations a: QuantizedActivations, y: UnsafeMutablePointer<Float>) {
        #if arch(x86_64) && os(Linux)
        let n = inliers, nOut = view.outlierCount, tokens = a.rows, rows = rows
        precondition(a.quantizedColumns == n && a.outlierValues.count == tokens * nOut)
        let padded = blocks * 32, octets = (rows + 7) / 8
        let q = UnsafeMutablePointer<Int8>.allocate(capacity: padded + 32)
        defer { q.deallocate() }
        let offset = Int32(1 << (bits - 1)), aOffset = Float(1 << (a.bits - 1)), w = view
        let geometry = OctetGeometry(codes: UnsafeRawPointer(codes), octetBytes: octetBytes, recordBytes: 32 * bits,
                                     blocks: blocks, blocksPerGroup: blocks, groups: 1, rows: rows)
        let granule = geometry.granule
        // Every token writes codes 0..<n: the zero padding past them is written once.
        q.initialize(repeating: 0, count: padded + 32)
        a.values.withUnsafeBufferPointer { values in
            a.outlierValues.withUnsafeBufferPointer { ob in
                for t in 0..<tokens {
                    var qSum: Int32 = 0
                    for k in 0..<n {
                        q[k] = values[t * n + k]
                        qSum &+= Int32(values[t * n + k])
                    }
                    let s = Float(Float16(bitPattern: a.scales[t])), z = Float(Float16(bitPattern: a.zeros[t]))
                    let job = QuikOctetJob(geometry: geometry, x: UnsafeRawPointer(q), weights: w,
                                           outliers: nOut > 0 ? ob.baseAddress.map { $0 + t * nOut } : nil,
                                           integerOffset: Int(offset) * Int(qSum), scale: s, rowSumScale: z + aOffset * s,
                                           y: y + t * rows)
                    let b = bits
                    Parallel.forRanges(count: octets, granule: granule, oversubscribe: octets) { range in
                        switch b {
                        case 1: job.run(range, OctetIdentity(layout: Octet1()))
                        case 2: job.run(range, OctetIdentity(layout: Octet2()))
                        case 3: job.run(range, OctetIdentity(layout: Octet3()))
                        default: job.run(range, OctetIdentity(layout: Octet4()))
                        }
                    }
                }
            }
        }
        #else
        preconditionFailure("QuikOctets is x86-64 only (supports() is false elsewhere)")
        #endif
    }
}

#if arch(x86_64) && os(Linux)
/// One token: the integer sums Σ c·q of each octet, then `QuikMatmul`'s Float epilogue for its rows (in the
/// parallel body: the fp16 outlier dot is a large part of a decode step).
struct QuikOctetJob: OctetKernel, @unchecked Sendable {
    let geometry: OctetGeometry
    let x: UnsafeRawPointer
    let weights: QuikWeightsView
    /// This token's outlier values, or nil.
    let outliers: UnsafePointer<Float>?
    /// 2^(b−1) · Σ q.
    let integerOffset: Int
    /// The activation scale s and z + 2^(p−1)·s.
    let scale: Float
    let rowSumScale: Float
    /// This token's outputs.
    let y: UnsafeMutablePointer<Float>

    @inline(__always)
    func store(_ sums: __m256i, octet g: Int) {
        let v = unsafeBitCast(sums, to: SIMD8<Int32>.self), r0 = 8 &* g, nOut = weights.outlierCount
        for i in 0..<min(8, geometry.rows &- r0) {
            let r = r0 &+ i, isum = Int(v[i]) - integerOffset
            var out = scale * Float(weights.scales[r]) * Float(isum) + rowSumScale * weights.rowSums[r]
            if let outliers { out += dot(weights.outlierWeights + r &* nOut, outliers, nOut) }
            y[r] = out
        }
    }

    @inline(__always)
    func pair<V: OctetValues>(_ ga: Int, _ gb: Int, _ v: V) -> (__m256i, __m256i) {
        let ones = _mm256_set1_epi16(1)
        var sA = _mm256_setzero_si256(), sB = _mm256_setzero_si256()
        for blk in 0..<geometry.blocks {
            let ra = geometry.record(ga, blk), rb = geometry.record(gb, blk), xb = x + blk &* 32
            var lA = _mm256_setzero_si256(), lB = _mm256_setzero_si256()
            for j in 0..<8 {
                let xq = broadcast4(xb + 4 &* j)
                lA = _mm256_add_epi16(lA, _mm256_maddubs_epi16(v.values(ra, j), xq))
                lB = _mm256_add_epi16(lB, _mm256_maddubs_epi16(v.values(rb, j), xq))
            }
            sA = _mm256_add_epi32(sA, _mm256_madd_epi16(lA, ones))
            sB = _mm256_add_epi32(sB, _mm256_madd_epi16(lB, ones))
        }
        return (sA, sB)
    }
}
#endif
