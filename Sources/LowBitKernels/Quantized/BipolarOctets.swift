#if arch(x86_64) && os(Linux)
import _Builtin_intrinsics.intel
#endif
import LowBitCore

/// Bipolar-INT weights of 1–4 bits repacked into `OctetLayout` (8 rows interleaved per block of 32 columns) for
/// vpmaddubsw (docs/cpu-kernels.md, b1): the per-token p-bit activation codes a ∈ [0, 2^p) are the unsigned operand
/// (broadcast 4 at a time to the 8 rows), the weight values v = 2w − W ∈ [−15, 15] (one vpshufb of the code) the
/// signed one. Per group (same algebra as `BipolarMatmul`, A = 2^p − 1, W = 2^q − 1, K real columns):
///     Σ_k (2a_k − A)(2w_k − W) = 2·Σ_k a_k·v_k − A·Σ_k v_k,   Σ_k v_k = 2·Σ w − K·W  (precomputed per row and group)
/// Σ a·v is exact: vpmaddubsw pairs ≤ 2·255·15 = 7650, four slots summed in int16 (≤ 30600), then vpmaddwd to int32.
/// Padding columns have a = 0. The result equals `BipolarMatmul`'s integer dot products exactly; only the Float
/// scaling (fp16 scale per group, activation scale per token) rounds differently.
public final class BipolarOctets: @unchecked Sendable {
    // @unchecked Sendable: immutable after init; the buffers are owned here.
    public let rows: Int
    public let cols: Int
    public let weightBits: Int
    public let activationBits: Int
    let groups: Int
    let groupSize: Int
    let blocks: Int
    let blocksPerGroup: Int
    let octetBytes: Int
    let codes: UnsafeMutableRawPointer
    /// [octet][group][8] the fp16 weight scales as Float (0 for padding rows).
    let scales: UnsafeMutablePointer<Float>
    /// [octet][group][8] A · Σ_k v_k.
    let offsets: UnsafeMutablePointer<Int32>
    /// 16 bytes: v(c) = 2c − W as int8.
    let table: UnsafeMutablePointer<Int8>

    public static func supports(_ w: BipolarPlanesView, activationBits p: Int) -> Bool {
        #if arch(x86_64) && os(Linux)
        return (1...4).contains(w.weightBits) && (1...8).contains(p) && w.rows > 0 && w.cols > 0
            && (w.groupSize >= w.cols || w.groupSize % 32 == 0)
        #else
        return false
        #endif
    }

    /// Repacks `w` (nil when `supports` is false); its buffers are only read here.
    public init?(_ w: BipolarPlanesView, activationBits p: Int) {
        guard Self.supports(w, activationBits: p) else { return nil }
        rows = w.rows
        cols = w.cols
        weightBits = w.weightBits
        activationBits = p
        groups = w.groups
        groupSize = w.groupSize
        blocks = (cols + 31) / 32
        blocksPerGroup = groups == 1 ? blocks : groupSize / 32
        let layout = OctetLayout(bits: weightBits)
        octetBytes = blocks * layout.recordBytes
        let octets = (rows + 7) / 8
        codes = .allocate(byteCount: octets * octetBytes + 32, alignment: 64)
        codes.initializeMemory(as: UInt8.self, repeating: 0, count: octets * octetBytes + 32)
        scales = .allocate(capacity: octets * groups * 8)
        scales.initialize(repeating: 0, count: octets * groups * 8)
        offsets = .allocate(capacity: octets * groups * 8)
        offsets.initialize(repeating: 0, count: octets * groups * 8)
        let W = (1 << weightBits) - 1, A = (1 << p) - 1
        table = .allocate(capacity: 16)
        for c in 0..<16 { table[c] = Int8(truncatingIfNeeded: 2 * min(c, W) - W) }
        for r in 0..<rows {
            for g in 0..<groups {
                let k = min(cols, (g + 1) * groupSize) - g * groupSize
                let i = ((r >> 3) * groups + g) * 8 + (r & 7)
                scales[i] = Float(w.scales[r * groups + g])
                offsets[i] = Int32(A * (2 * Int(w.codeSums[r * groups + g]) - k * W))
            }
        }
        let q = weightBits, wpr = w.wordsPerRow, rows = rows, cols = cols, out = codes, octetBytes = octetBytes
        // Ranges of 8 rows: each byte of a record belongs to one row.
        Parallel.forRanges(count: rows, granule: 8) { range in
            for r in range {
                for k in 0..<cols {
                    var c: UInt8 = 0
                    for j in 0..<q {
                        c |= UInt8(truncatingIfNeeded: (w.planes[(j * rows + r) * wpr + k >> 6] >> UInt64(k & 63)) & 1) << UInt8(j)
                    }
                    layout.place(c, row: r & 7, element: k & 31,
                                 record: out + (r >> 3) * octetBytes + (k >> 5) * layout.recordBytes)
                }
            }
        }
    }

    deinit {
        codes.deallocate()
        scales.deallocate()
        offsets.deallocate()
        table.deallocate()
    }

    /// y [tokens, rows] = x̂ [tokens, cols] · Ŵᵀ with per-token p-bit activations (as `BipolarMatmul.matmul`).
    public func matmul(x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>) {
        #if arch(x86_64) && os(Linux)
        let padded = blocks * 32, octets = (rows + 7) / 8
        let a = UnsafeMutablePointer<UInt8>.allocate(capacity: padded + 32)
        defer { a.deallocate() }
        let tb = UnsafeRawPointer(table), q = weightBits
        let geometry = OctetGeometry(codes: UnsafeRawPointer(codes), octetBytes: octetBytes, recordBytes: 32 * q,
                                     blocks: blocks, blocksPerGroup: blocksPerGroup, groups: groups, rows: rows)
        let granule = geometry.granule
        // Every token writes codes 0..<cols: the zero padding past them is written once.
        a.initialize(repeating: 0, count: padded + 32)
        for t in 0..<tokens {
            let sa = BipolarMatmul.quantizeActivations(x + t * cols, count: cols, bits: activationBits, codes: a)
            let job = BipolarOctetJob(geometry: geometry, a: UnsafeRawPointer(a), activationScale: sa,
                                      scales: UnsafePointer(scales), offsets: UnsafePointer(offsets), y: y + t * rows)
            // Not generic (see `PackedCodeMatrix.matvec`): the width switch is inside the closure.
            Parallel.forRanges(count: octets, granule: granule, oversubscribe: octets) { range in
                let values = _mm256_broadcastsi128_si256(tb.loadUnaligned(as: __m128i.self))
                switch q {
                case 1: job.run(range, OctetTable16(layout: Octet1(), table: values))
                case 2: job.run(range, OctetTable16(layout: Octet2(), table: values))
                case 3: job.run(range, OctetTable16(layout: Octet3(), table: values))
                default: job.run(range, OctetTable16(layout: Octet4(), table: values))
                }
            }
        }
        #else
        preconditionFailure("BipolarOctets is x86-64 only (supports() is false elsewhere)")
        #endif
    }
}

#if arch(x86_64) && os(Linux)
/// The pointers of one token's bipolar octet matvec.
struct BipolarOctetJob: OctetKernel, @unchecked Sendable {
    let geometry: OctetGeometry
    /// Activation codes a (u8), zero past the last column.
    let a: UnsafeRawPointer
    let activationScale: Float
    let scales: UnsafePointer<Float>
    let offsets: UnsafePointer<Int32>
    let y: UnsafeMutablePointer<Float>

    @inline(__always)
    func store(_ t: __m256, octet g: Int) {
        let v = SIMD8<Float>(t) * activationScale, r0 = 8 &* g
        for i in 0..<min(8, geometry.rows &- r0) { y[r0 &+ i] = v[i] }
    }

    @inline(__always)
    func pair<V: OctetValues>(_ ga: Int, _ gb: Int, _ v: V) -> (__m256, __m256) {
        let ones = _mm256_set1_epi16(1), groups = geometry.groups
        var totA = _mm256_setzero_ps(), totB = _mm256_setzero_ps()
        var blk = 0
        for g in 0..<groups {
            let end = geometry.groupEnd(blk)
            var sA = _mm256_setzero_si256(), sB = _mm256_setzero_si256()
            while blk < end {
                let ra = geometry.record(ga, blk), rb = geometry.record(gb, blk), xb = a + blk &* 32
                // Slots 0–3 and 4–7 summed apart in int16 (4 · 7650 each), then widened.
                var lA0 = _mm256_setzero_si256(), lA1 = _mm256_setzero_si256()
                var lB0 = _mm256_setzero_si256(), lB1 = _mm256_setzero_si256()
                for j in 0..<8 {
                    let xa = broadcast4(xb + 4 &* j)
                    let pA = _mm256_maddubs_epi16(xa, v.values(ra, j)), pB = _mm256_maddubs_epi16(xa, v.values(rb, j))
                    if j < 4 {
                        lA0 = _mm256_add_epi16(lA0, pA)
                        lB0 = _mm256_add_epi16(lB0, pB)
                    } else {
                        lA1 = _mm256_add_epi16(lA1, pA)
                        lB1 = _mm256_add_epi16(lB1, pB)
                    }
                }
                sA = _mm256_add_epi32(sA, _mm256_add_epi32(_mm256_madd_epi16(lA0, ones), _mm256_madd_epi16(lA1, ones)))
                sB = _mm256_add_epi32(sB, _mm256_add_epi32(_mm256_madd_epi16(lB0, ones), _mm256_madd_epi16(lB1, ones)))
                blk &+= 1
            }
            let ia = (ga &* groups &+ g) &* 8, ib = (gb &* groups &+ g) &* 8
            let da = _mm256_sub_epi32(_mm256_slli_epi32(sA, 1), UnsafeRawPointer(offsets + ia).loadUnaligned(as: __m256i.self))
            let db = _mm256_sub_epi32(_mm256_slli_epi32(sB, 1), UnsafeRawPointer(offsets + ib).loadUnaligned(as: __m256i.self))
            totA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(da), UnsafeRawPointer(scales + ia).loadUnaligned(as: __m256.self), totA)
            totB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(db), UnsafeRawPointer(scales + ib).loadUnaligned(as: __m256.self), totB)
        }
        return (totA, totB)
    }
}
#endif
