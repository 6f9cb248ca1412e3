#if arch(x86_64) && os(Linux)
import _Builtin_intrinsics.intel
#endif
import LowBitCore

/// The 8-row layout of `PackedCodeMatrix` for codes of 1–5 bits (docs/cpu-kernels.md, "Weight-only code formats",
/// c1): 8 consecutive rows (an *octet*) interleaved per block of 32 columns, as `GGMLInterleavedRows` does for Q4_1,
/// so that one broadcast of 4 activation bytes serves 8 rows, vpmaddubsw multiplies 32 weight bytes by them, and
/// the 8 rows' block sums come out as the 8 lanes of one vector (no horizontal sum per row).
///
/// A record (octet, block) is `bits` vectors of 32 bytes. Element e (< 32) of row i (< 8) is in slot j = e >> 2 at
/// byte n = 4i + (e & 3) of a vector; the slot's 4 columns are the same for all rows, so the slot's activations are
/// broadcast to all 32-bit lanes. The bits of a code live in planes:
///   plane4 (4 vectors): the low 4 bits, vector j & 3, nibble j >> 2;
///   plane2 (2 vectors): the low 2 bits, vector j & 1, bits 2(j >> 1) ..< 2(j >> 1) + 2;
///   plane1 (1 vector):  one bit, bit j.
///   1 bit: plane1; 2: plane2; 4: plane4; 5: plane4 + plane1 (bit 4) at byte 128.
///   6 bits (e3m2 in fp16 bit placement, `OctetHalfJob`): code c = sign (bit 5) | magnitude m (bits 0–4), stored as
///         the high byte of its fp16 pattern, sign << 7 | m: slots 0–5 in vectors 0–5 (bits 5–6 spare); slot 6 in
///         the spare bits of V0–V2 (m bits 0–1 in V0, 2–3 in V1, m bit 4 and the sign in V2's bits 5 and 6), slot 7
///         likewise in V3–V5.
///   3 bits (3 vectors V0–V2): slots 2v and 2v+1 in bits 0–2 and 3–5 of Vv; slot 6 = bits 6–7 of V0 and bit 6 of
///         V1 (its bit 2); slot 7 = bit 7 of V1 (its bit 0) and bits 6–7 of V2.
/// Every index is at most one shift and one vpand of a loaded vector (3 bits: slots 6 and 7 take five operations,
/// 5 bits: plane4's index plus a vpsllw that brings the plane1 bit to bit 7, which vpblendvb reads).
struct OctetLayout {
    let bits: Int

    var recordBytes: Int { 32 * bits }

    func place(_ code: UInt8, row i: Int, element e: Int, record: UnsafeMutableRawPointer) {
        let b = record.assumingMemoryBound(to: UInt8.self), j = e >> 2, n = 4 * i + (e & 3)
        switch bits {
        case 1: b[n] |= (code & 1) << UInt8(j)
        case 2: b[32 * (j & 1) + n] |= (code & 3) << UInt8(2 * (j >> 1))
        case 3:
            let c = code & 7
            switch j {
            case 6: b[n] |= (c & 3) << 6; b[32 + n] |= (c >> 2) << 6
            case 7: b[32 + n] |= (c & 1) << 7; b[64 + n] |= (c >> 1) << 6
            default: b[32 * (j >> 1) + n] |= c << UInt8(3 * (j & 1))
            }
        case 4: b[32 * (j & 3) + n] |= (code & 15) << UInt8(4 * (j >> 2))
        case 5:
            b[32 * (j & 3) + n] |= (code & 15) << UInt8(4 * (j >> 2))
            b[128 + n] |= ((code >> 4) & 1) << UInt8(j)
        default:
            let m = code & 31, sign = (code >> 5) & 1
            if j < 6 {
                b[32 * j + n] |= m | sign << 7
            } else {
                let v = 96 * (j - 6) + n
                b[v] |= (m & 3) << 5
                b[v + 32] |= ((m >> 2) & 3) << 5
                b[v + 64] |= (m >> 4) << 5 | sign << 6
            }
        }
    }

    /// The lane of row i (< 8) of an octet in the 6-bit kernel's row sums (`HalfSums.rows`): rows 0, 2, 4, 6, 1, 3, 5, 7.
    @inline(__always) static func halfLane(_ i: Int) -> Int { (i & 1) &* 4 &+ (i >> 1) }

    func code(row i: Int, element e: Int, record: UnsafeRawPointer) -> UInt8 {
        let b = record.assumingMemoryBound(to: UInt8.self), j = e >> 2, n = 4 * i + (e & 3)
        switch bits {
        case 1: return (b[n] >> UInt8(j)) & 1
        case 2: return (b[32 * (j & 1) + n] >> UInt8(2 * (j >> 1))) & 3
        case 3:
            switch j {
            case 6: return (b[n] >> 6) | ((b[32 + n] >> 6) & 1) << 2
            case 7: return (b[32 + n] >> 7) | (b[64 + n] >> 6) << 1
            default: return (b[32 * (j >> 1) + n] >> UInt8(3 * (j & 1))) & 7
            }
        case 4: return (b[32 * (j & 3) + n] >> UInt8(4 * (j >> 2))) & 15
        case 5: return (b[32 * (j & 3) + n] >> UInt8(4 * (j >> 2))) & 15 | ((b[128 + n] >> UInt8(j)) & 1) << 4
        default:
            if j < 6 { let v = b[32 * j + n]; return v & 31 | (v >> 7) << 5 }
            let v = 96 * (j - 6) + n
            let m = (b[v] >> 5) & 3 | ((b[v + 32] >> 5) & 3) << 2 | ((b[v + 64] >> 5) & 1) << 4
            return m | ((b[v + 64] >> 6) & 1) << 5
        }
    }
}

#if arch(x86_64) && os(Linux)

/// Slot j (< 8) of a record → 32 unsigned weight bytes u (lane i = row i, 4 columns).
protocol OctetValues {
    func values(_ record: UnsafeRawPointer, _ j: Int) -> __m256i
    /// Two-level tables (`OctetTable16Split`): the high and low bytes of slot j; others never get here.
    func splitValues(_ record: UnsafeRawPointer, _ j: Int) -> (high: __m256i, low: __m256i)
    /// Sign-symmetric 6-bit tables (`OctetSigned32`): the magnitude bytes of 32 codes given as sign << 7 | m
    /// (`HalfBytes`); others never get here.
    func magnitudes(_ b: __m256i) -> __m256i
}

extension OctetValues {
    @inline(__always) func splitValues(_ record: UnsafeRawPointer, _ j: Int) -> (high: __m256i, low: __m256i) {
        (values(record, j), _mm256_setzero_si256())
    }
    @inline(__always) func magnitudes(_ b: __m256i) -> __m256i { b }
}

/// Slot j's indices (< 2^bits) of the plane layouts up to 4 bits.
protocol OctetIndices {
    func indices(_ record: UnsafeRawPointer, _ j: Int) -> __m256i
}

@inline(__always) func octetVector(_ p: UnsafeRawPointer) -> __m256i { p.loadUnaligned(as: __m256i.self) }

struct Octet1: OctetIndices {
    @inline(__always) func indices(_ p: UnsafeRawPointer, _ j: Int) -> __m256i {
        _mm256_and_si256(_mm256_srli_epi16(octetVector(p), Int32(j)), _mm256_set1_epi8(1))
    }
}
struct Octet2: OctetIndices {
    @inline(__always) func indices(_ p: UnsafeRawPointer, _ j: Int) -> __m256i {
        _mm256_and_si256(_mm256_srli_epi16(octetVector(p + 32 * (j & 1)), Int32(2 * (j >> 1))), _mm256_set1_epi8(3))
    }
}
struct Octet3: OctetIndices {
    @inline(__always) func indices(_ p: UnsafeRawPointer, _ j: Int) -> __m256i {
        let seven = _mm256_set1_epi8(7)
        switch j {
        case 6:
            return _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(octetVector(p), 6), _mm256_set1_epi8(3)),
                                   _mm256_and_si256(_mm256_srli_epi16(octetVector(p + 32), 4), _mm256_set1_epi8(4)))
        case 7:
            return _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(octetVector(p + 32), 7), _mm256_set1_epi8(1)),
                                   _mm256_and_si256(_mm256_srli_epi16(octetVector(p + 64), 5), _mm256_set1_epi8(6)))
        default:
            let v = octetVector(p + 32 * (j >> 1))
            return _mm256_and_si256(j & 1 == 0 ? v : _mm256_srli_epi16(v, 3), seven)
        }
    }
}
struct Octet4: OctetIndices {
    @inline(__always) func indices(_ p: UnsafeRawPointer, _ j: Int) -> __m256i {
        let v = octetVector(p + 32 * (j & 3))
        return _mm256_and_si256(j < 4 ? v : _mm256_srli_epi16(v, 4), _mm256_set1_epi8(15))
    }
}

/// Integer codes (identity table): the index is the weight byte (≤ 15).
struct OctetIdentity<I: OctetIndices>: OctetValues {
    let layout: I
    @inline(__always) func values(_ p: UnsafeRawPointer, _ j: Int) -> __m256i { layout.indices(p, j) }
}

/// ≤ 4-bit codes through a 16-byte table of u = round(m·t) + 63 (one vpshufb).
struct OctetTable16<I: OctetIndices>: OctetValues {
    let layout: I
    let table: __m256i
    @inline(__always) func values(_ p: UnsafeRawPointer, _ j: Int) -> __m256i {
        _mm256_shuffle_epi8(table, layout.indices(p, j))
    }
}

/// ≤ 4-bit codes through a table that 7 bits cannot hold (NormalFloat, learned tables), in two levels:
/// m·t ≈ h + l/64 with |h| ≤ 63 and |l| ≤ 32, bytes h + 63 (`table`) and l + 32 (`low`): one more vpshufb per slot
/// and the table to 1/128 of a 7-bit step (`PackedCodeMatrix.tableError`), below the GPU's fp16 table rounding.
struct OctetTable16Split<I: OctetIndices>: OctetValues {
    let layout: I
    let table: __m256i
    let low: __m256i
    @inline(__always) func values(_ p: UnsafeRawPointer, _ j: Int) -> __m256i {
        _mm256_shuffle_epi8(table, layout.indices(p, j))
    }
    @inline(__always) func splitValues(_ p: UnsafeRawPointer, _ j: Int) -> (high: __m256i, low: __m256i) {
        let i = layout.indices(p, j)
        return (_mm256_shuffle_epi8(table, i), _mm256_shuffle_epi8(low, i))
    }
}

/// 5-bit codes: two vpshufb (entries 0–15, 16–31) and a vpblendvb on the plane1 bit moved to bit 7.
struct OctetTable32: OctetValues {
    let table0: __m256i
    let table1: __m256i
    @inline(__always) func values(_ p: UnsafeRawPointer, _ j: Int) -> __m256i {
        let i = Octet4().indices(p, j)
        let top = _mm256_slli_epi16(octetVector(p + 128), Int32(7 - j))
        return _mm256_blendv_epi8(_mm256_shuffle_epi8(table0, i), _mm256_shuffle_epi8(table1, i), top)
    }
}

/// Sign-symmetric 6-bit tables that 6 bits hold exactly after one power of two (fpe2m3: |t| ≤ 60 in units of its
/// smallest subnormal), on the 6-bit layout (`HalfBytes` gives sign << 7 | m per slot): the magnitude |t_q(m)| ≤ 63
/// by two vpshufb and a vpblendvb on m's bit 4; the sign goes to the activations (vpsignb with that same byte, which
/// is 0 only for m = 0, whose magnitude is 0).
struct OctetSigned32: OctetValues {
    let table0: __m256i
    let table1: __m256i
    @inline(__always) func values(_ p: UnsafeRawPointer, _ j: Int) -> __m256i { _mm256_setzero_si256() }
    @inline(__always) func magnitudes(_ b: __m256i) -> __m256i {
        let i = _mm256_and_si256(b, _mm256_set1_epi8(15))
        return _mm256_blendv_epi8(_mm256_shuffle_epi8(table0, i), _mm256_shuffle_epi8(table1, i), _mm256_slli_epi16(b, 3))
    }
}

/// Where the octets of one matrix are: `blocks` records of `recordBytes` per octet (`OctetLayout`), groups of
/// `blocksPerGroup` blocks. Shared by the octet jobs of `PackedCodeMatrix`, `BipolarOctets` and `QuikOctets`.
struct OctetGeometry: @unchecked Sendable {
    let codes: UnsafeRawPointer
    /// Bytes of one octet (all its records).
    let octetBytes: Int
    let recordBytes: Int
    let blocks: Int
    let blocksPerGroup: Int
    let groups: Int
    let rows: Int

    /// Octets of 8 rows (the last one padded).
    var octets: Int { (rows + 7) / 8 }
    /// Octets per parallel chunk, as in the GGML decode matvec: at least 8 chunks, at most ~256 KB of codes each.
    var granule: Int { max(1, min(octets / 8, GGMLBlockMatmul.matvecChunkBytes / max(1, octetBytes))) }

    /// Block `blk` of octet `g`.
    @inline(__always) func record(_ g: Int, _ blk: Int) -> UnsafeRawPointer {
        codes + g &* octetBytes + blk &* recordBytes
    }

    /// The blocks of group `g` (`blk` ..< end), given the first block.
    @inline(__always) func groupEnd(_ blk: Int) -> Int { min(blocks, blk &+ blocksPerGroup) }
}

/// The octets of a range two at a time, from the two halves of the range (two address streams per thread, the
/// activation broadcasts shared; docs/cpu-kernels.md v17); an odd one out pairs with itself (b == a).
struct OctetPairs: Sequence, IteratorProtocol {
    let lower: Int
    let upper: Int
    let half: Int
    var i = 0

    init(_ range: Range<Int>) {
        lower = range.lowerBound
        upper = range.upperBound
        half = (range.count + 1) / 2
    }

    @inline(__always) mutating func next() -> (a: Int, b: Int)? {
        guard i < half else { return nil }
        let a = lower &+ i, b = a &+ half < upper ? a &+ half : a
        i &+= 1
        return (a, b)
    }
}

/// Row r's zero-point term Σ_g s_g·z_g · Σ_{k∈g} x_k (0 without zero points), shared by the row-pair and octet jobs.
@inline(__always)
func zeroPointTerm(_ zeroTerms: UnsafePointer<Float>?, _ groupSums: UnsafePointer<Float>?, row r: Int, groups: Int) -> Float {
    guard let zt = zeroTerms, let gsum = groupSums else { return 0 }
    return dot(zt + r &* groups, gsum, groups)
}

/// The 4 bytes at p in every 32-bit lane (the GGML and octet matvecs).
@inline(__always) func broadcast4(_ p: UnsafeRawPointer) -> __m256i { _mm256_set1_epi32(p.loadUnaligned(as: Int32.self)) }

/// An octet matvec: `pair` computes two octets (`OctetPairs`), `store` writes one octet's result.
protocol OctetKernel {
    associatedtype Sums
    func pair<V: OctetValues>(_ ga: Int, _ gb: Int, _ v: V) -> (Sums, Sums)
    func store(_ sums: Sums, octet g: Int)
}

extension OctetKernel {
    /// Octets of `range`, two at a time (`OctetPairs`).
    @inline(__always)
    func run<V: OctetValues>(_ range: Range<Int>, _ v: V) {
        for (ga, gb) in OctetPairs(range) {
            let (sa, sb) = pair(ga, gb, v)
            store(sa, octet: ga)
            if gb != ga { store(sb, octet: gb) }
        }
    }
}

/// The pointers of one octet matvec (captured by the parallel body without reference counting).
struct OctetJob: OctetKernel, @unchecked Sendable {
    let geometry: OctetGeometry
    /// Per block: 32 int8 codes q, 32 int8 residuals r (`DecodeActivations.codes8`), and the scales scale8_b.
    let x8: UnsafeRawPointer
    let xScales: UnsafePointer<Float>
    /// Per block: 63 · Σ q, 63 · Σ r and 32 · Σ q (the table offsets' contributions, subtracted from the block
    /// sums; table paths).
    let offsets: UnsafePointer<Int32>
    /// [octet][group][8] s_g / m.
    let scales: UnsafePointer<Float>
    let zeroTerms: UnsafePointer<Float>?
    let groupSums: UnsafePointer<Float>?
    let y: UnsafeMutablePointer<Float>
    /// Table path: also multiply by the residuals r (x ≈ scale8·(q + r/127)); small codes always do.
    let residual: Bool
    /// Integer codes ≤ 15 with the residual (`smallBlock`), else table values (`tableBlock`).
    let small: Bool
    /// Two-level table (`OctetTable16Split`, `splitTableBlock`; always with the residual).
    let split: Bool
    /// Sign-symmetric 6-bit table (`OctetSigned32`, `signedBlock`; always with the residual).
    let signed: Bool

    @inline(__always)
    func store(_ t: __m256, octet g: Int) {
        let v = SIMD8<Float>(t), r0 = 8 &* g
        for i in 0..<min(8, geometry.rows &- r0) { y[r0 &+ i] = v[i] - zeroTerm(r0 &+ i) }
    }

    @inline(__always)
    func zeroTerm(_ r: Int) -> Float { zeroPointTerm(zeroTerms, groupSums, row: r, groups: geometry.groups) }

    /// Octets ga and gb: Σ_g (s_g/m) · Σ_{b∈g} scale8_b · (block sum), the block sums from `smallBlock` or `tableBlock`.
    @inline(__always)
    func pair<V: OctetValues>(_ ga: Int, _ gb: Int, _ v: V) -> (__m256, __m256) {
        if split || signed { return (oneOctet(ga, v), oneOctet(gb, v)) }
        let groups = geometry.groups
        let sa = scales + ga &* groups &* 8, sb = scales + gb &* groups &* 8
        var totA = _mm256_setzero_ps(), totB = _mm256_setzero_ps()
        var blk = 0
        for g in 0..<groups {
            let end = geometry.groupEnd(blk)
            var accA = _mm256_setzero_ps(), accB = _mm256_setzero_ps()
            while blk < end {
                let ra = geometry.record(ga, blk), rb = geometry.record(gb, blk), xb = x8 + blk &* 64
                let (fa, fb) = small ? smallBlock(ra, rb, xb, v) : tableBlock(ra, rb, xb, blk, v)
                let xs = _mm256_set1_ps(xScales[blk])
                accA = _mm256_fmadd_ps(fa, xs, accA)
                accB = _mm256_fmadd_ps(fb, xs, accB)
                blk &+= 1
            }
            totA = _mm256_fmadd_ps(accA, (UnsafeRawPointer(sa + g &* 8)).loadUnaligned(as: __m256.self), totA)
            totB = _mm256_fmadd_ps(accB, (UnsafeRawPointer(sb + g &* 8)).loadUnaligned(as: __m256.self), totB)
        }
        return (totA, totB)
    }

    /// Integer codes u ≤ 15 × (q + r/127): 8 vpmaddubsw with q and 8 with r summed in int16
    /// (8 · 2 · 15 · 127 = 30480 ≤ 32767, and 8 · 2 · 15 · 64 for r), one vpmaddwd each to int32.
    @inline(__always)
    func smallBlock<V: OctetValues>(_ ra: UnsafeRawPointer, _ rb: UnsafeRawPointer, _ xb: UnsafeRawPointer,
                                    _ v: V) -> (__m256, __m256) {
        let ones = _mm256_set1_epi16(1), inverse127 = _mm256_set1_ps(1 / 127)
        var qa = _mm256_setzero_si256(), qb = _mm256_setzero_si256()
        var rsa = _mm256_setzero_si256(), rsb = _mm256_setzero_si256()
        for j in 0..<8 {
            let xq = broadcast4(xb + 4 &* j), xr = broadcast4(xb + (32 &+ 4 &* j))
            let ua = v.values(ra, j), ub = v.values(rb, j)
            qa = _mm256_add_epi16(qa, _mm256_maddubs_epi16(ua, xq))
            rsa = _mm256_add_epi16(rsa, _mm256_maddubs_epi16(ua, xr))
            qb = _mm256_add_epi16(qb, _mm256_maddubs_epi16(ub, xq))
            rsb = _mm256_add_epi16(rsb, _mm256_maddubs_epi16(ub, xr))
        }
        return (_mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(rsa, ones)), inverse127,
                                _mm256_cvtepi32_ps(_mm256_madd_epi16(qa, ones))),
                _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(rsb, ones)), inverse127,
                                _mm256_cvtepi32_ps(_mm256_madd_epi16(qb, ones))))
    }

    /// Table values u = t_q + 63 ≤ 126 × q: one vpmaddubsw (each pair ≤ 2 · 126 · 127 < 32768) and one vpmaddwd
    /// to int32 per slot; × r (`residual`): two slots' vpmaddubsw summed in int16 (≤ 4 · 126 · 64), one vpmaddwd.
    /// The offsets 63 · Σ q and 63 · Σ r are subtracted, leaving Σ t_q · q and Σ t_q · r exactly.
    @inline(__always)
    func tableBlock<V: OctetValues>(_ ra: UnsafeRawPointer, _ rb: UnsafeRawPointer, _ xb: UnsafeRawPointer, _ blk: Int,
                                    _ v: V) -> (__m256, __m256) {
        let ones = _mm256_set1_epi16(1)
        var da = _mm256_setzero_si256(), db = _mm256_setzero_si256()
        let off = _mm256_set1_epi32(offsets[3 &* blk])
        if !residual {
            for j in 0..<8 {
                let xq = broadcast4(xb + 4 &* j)
                da = _mm256_add_epi32(da, _mm256_madd_epi16(_mm256_maddubs_epi16(v.values(ra, j), xq), ones))
                db = _mm256_add_epi32(db, _mm256_madd_epi16(_mm256_maddubs_epi16(v.values(rb, j), xq), ones))
            }
            return (_mm256_cvtepi32_ps(_mm256_sub_epi32(da, off)), _mm256_cvtepi32_ps(_mm256_sub_epi32(db, off)))
        }
        var ea = _mm256_setzero_si256(), eb = _mm256_setzero_si256()
        for jj in 0..<4 {
            let j0 = 2 &* jj, j1 = j0 &+ 1
            let xq0 = broadcast4(xb + 4 &* j0), xq1 = broadcast4(xb + 4 &* j1)
            let xr0 = broadcast4(xb + (32 &+ 4 &* j0)), xr1 = broadcast4(xb + (32 &+ 4 &* j1))
            let ua0 = v.values(ra, j0), ub0 = v.values(rb, j0), ua1 = v.values(ra, j1), ub1 = v.values(rb, j1)
            da = _mm256_add_epi32(da, _mm256_madd_epi16(_mm256_maddubs_epi16(ua0, xq0), ones))
            db = _mm256_add_epi32(db, _mm256_madd_epi16(_mm256_maddubs_epi16(ub0, xq0), ones))
            da = _mm256_add_epi32(da, _mm256_madd_epi16(_mm256_maddubs_epi16(ua1, xq1), ones))
            db = _mm256_add_epi32(db, _mm256_madd_epi16(_mm256_maddubs_epi16(ub1, xq1), ones))
            ea = _mm256_add_epi32(ea, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(ua0, xr0),
                                                                         _mm256_maddubs_epi16(ua1, xr1)), ones))
            eb = _mm256_add_epi32(eb, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(ub0, xr0),
                                                                         _mm256_maddubs_epi16(ub1, xr1)), ones))
        }
        let offR = _mm256_set1_epi32(offsets[3 &* blk &+ 1]), inverse127 = _mm256_set1_ps(1 / 127)
        return (_mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(ea, offR)), inverse127,
                                _mm256_cvtepi32_ps(_mm256_sub_epi32(da, off))),
                _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(eb, offR)), inverse127,
                                _mm256_cvtepi32_ps(_mm256_sub_epi32(db, off))))
    }
    /// One block of octet o with a sign-symmetric 6-bit table: Σ t_q·(q + r/127) per row; slots in triples as
    /// `OctetHalfJob.triple` (slot 6 + t gathered from the spare bits of vectors 3t…3t+2).
    @inline(__always)
    func signedBlock<V: OctetValues>(_ rec: UnsafeRawPointer, _ xb: UnsafeRawPointer, _ v: V) -> __m256 {
        let signTable = HalfBytes.signTable, ones = _mm256_set1_epi16(1)
        var d = _mm256_setzero_si256(), e = _mm256_setzero_si256()
        Self.signedTriple(0, rec, xb, v, signTable, ones, &d, &e)
        Self.signedTriple(1, rec, xb, v, signTable, ones, &d, &e)
        return _mm256_fmadd_ps(_mm256_cvtepi32_ps(e), _mm256_set1_ps(1 / 127), _mm256_cvtepi32_ps(d))
    }

    /// Slots 3t…3t+2 and 6 + t: magnitudes u ≤ 63 × sign-applied q and r; per two slots the q products summed in int16
    /// (≤ 4 · 63 · 127 = 32004), the r products over the four slots (≤ 8 · 63 · 64 = 32256), one vpmaddwd each.
    @inline(__always)
    static func signedTriple<V: OctetValues>(_ t: Int, _ rec: UnsafeRawPointer, _ xb: UnsafeRawPointer, _ v: V,
                                             _ signTable: __m256i, _ ones: __m256i,
                                             _ d: inout __m256i, _ e: inout __m256i) {
        @inline(__always) func slot(_ b: __m256i, _ j: Int) -> (__m256i, __m256i) {
            let u = v.magnitudes(b)
            return (_mm256_maddubs_epi16(u, _mm256_sign_epi8(broadcast4(xb + 4 &* j), b)),
                    _mm256_maddubs_epi16(u, _mm256_sign_epi8(broadcast4(xb + (32 &+ 4 &* j)), b)))
        }
        let v0 = octetVector(rec + 96 &* t), v1 = octetVector(rec + (96 &* t &+ 32))
        let (q0, r0) = slot(HalfBytes.native(v0), 3 &* t)
        let (q1, r1) = slot(HalfBytes.native(v1), 3 &* t &+ 1)
        d = _mm256_add_epi32(d, _mm256_madd_epi16(_mm256_add_epi16(q0, q1), ones))
        let v2 = octetVector(rec + (96 &* t &+ 64))
        let p = _mm256_or_si256(_mm256_or_si256(HalfBytes.spare(v0, 0, signTable), HalfBytes.spare(v1, 1, signTable)),
                                HalfBytes.spare(v2, 2, signTable))
        let (q2, r2) = slot(HalfBytes.native(v2), 3 &* t &+ 2)
        let (q3, r3) = slot(p, 6 &+ t)
        d = _mm256_add_epi32(d, _mm256_madd_epi16(_mm256_add_epi16(q2, q3), ones))
        e = _mm256_add_epi32(e, _mm256_madd_epi16(_mm256_add_epi16(_mm256_add_epi16(r0, r1), _mm256_add_epi16(r2, r3)), ones))
    }

    /// Octet o with a two-level or a sign-symmetric 6-bit table: Σ_g (s_g/m) · Σ_{b∈g} scale8_b · (block sum of
    /// `splitTableBlock` or `signedBlock`). One octet at a time, unlike `pair`'s two: two at once need more than
    /// AVX2's 16 vector registers (the two-octet version spilled).
    @inline(__always)
    func oneOctet<V: OctetValues>(_ o: Int, _ v: V) -> __m256 {
        let groups = geometry.groups
        let so = scales + o &* groups &* 8
        var total = _mm256_setzero_ps()
        var blk = 0
        for g in 0..<groups {
            let end = geometry.groupEnd(blk)
            var acc = _mm256_setzero_ps()
            while blk < end {
                let rec = geometry.record(o, blk), xb = x8 + blk &* 64
                acc = _mm256_fmadd_ps(signed ? signedBlock(rec, xb, v) : splitTableBlock(rec, xb, blk, v),
                                      _mm256_set1_ps(xScales[blk]), acc)
                blk &+= 1
            }
            total = _mm256_fmadd_ps(acc, (UnsafeRawPointer(so + g &* 8)).loadUnaligned(as: __m256.self), total)
        }
        return total
    }

    /// Two-level table values h + 63 ≤ 126 and l + 32 ≤ 64 (m·t ≈ h + l/64) × (q + r/127): h·q as `tableBlock`,
    /// h·r and l·q two slots summed in int16 (≤ 4 · 126 · 64 and 4 · 64 · 127 < 32768), one vpmaddwd each; the
    /// dropped l·r term is below 1/(64·127) of a step. Offsets 63·Σq, 63·Σr and 32·Σq are subtracted.
    @inline(__always)
    func splitTableBlock<V: OctetValues>(_ rec: UnsafeRawPointer, _ xb: UnsafeRawPointer, _ blk: Int, _ v: V) -> __m256 {
        let ones = _mm256_set1_epi16(1)
        var d = _mm256_setzero_si256(), e = _mm256_setzero_si256(), l = _mm256_setzero_si256()
        for jj in 0..<4 {
            // Slots j and j + 4 share their code vector (4-bit: the two nibbles), which then dies at once.
            let j0 = jj, j1 = jj &+ 4
            let xq0 = broadcast4(xb + 4 &* j0), xq1 = broadcast4(xb + 4 &* j1)
            let xr0 = broadcast4(xb + (32 &+ 4 &* j0)), xr1 = broadcast4(xb + (32 &+ 4 &* j1))
            let u0 = v.splitValues(rec, j0), u1 = v.splitValues(rec, j1)
            d = _mm256_add_epi32(d, _mm256_madd_epi16(_mm256_maddubs_epi16(u0.high, xq0), ones))
            d = _mm256_add_epi32(d, _mm256_madd_epi16(_mm256_maddubs_epi16(u1.high, xq1), ones))
            e = _mm256_add_epi32(e, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(u0.high, xr0),
                                                                       _mm256_maddubs_epi16(u1.high, xr1)), ones))
            l = _mm256_add_epi32(l, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(u0.low, xq0),
                                                                       _mm256_maddubs_epi16(u1.low, xq1)), ones))
        }
        let off = _mm256_set1_epi32(offsets[3 &* blk]), offR = _mm256_set1_epi32(offsets[3 &* blk &+ 1])
        let offL = _mm256_set1_epi32(offsets[3 &* blk &+ 2])
        return _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(l, offL)), _mm256_set1_ps(1 / 64),
                               _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(e, offR)), _mm256_set1_ps(1 / 127),
                                               _mm256_cvtepi32_ps(_mm256_sub_epi32(d, off))))
    }
}

/// The 6-bit records (`OctetLayout`, 6 bits) as fp16 high bytes, sign << 7 | magnitude code: e3m2's sign, exponent and
/// mantissa are where fp16 keeps them (bits 15, 10–12 and 8–9 of the word, the low byte zero), so the word is the e3m2
/// value × 2^-12 exactly, subnormals included (fp16 subnormals, which vcvtph2ps converts exactly).
enum HalfBytes {
    /// Slot j < 6 of a record: its vector without the spare bits 5–6 (one vpand).
    @inline(__always) static func native(_ v: __m256i) -> __m256i {
        _mm256_and_si256(v, _mm256_set1_epi8(Int8(bitPattern: 0x9F)))
    }

    /// The spare bits of vector k (< 3) of a triple moved to where slot 6 (7) wants them: V0's to bits 0–1, V1's to
    /// bits 2–3, V2's (magnitude bit 4, sign) to bits 4 and 7 through a vpshufb. The three or'ed give the slot.
    /// Masked before shifting: no bit crosses into the other byte of a 16-bit word.
    @inline(__always) static func spare(_ v: __m256i, _ k: Int, _ signTable: __m256i) -> __m256i {
        let t = _mm256_and_si256(v, _mm256_set1_epi8(0x60))
        switch k {
        case 0: return _mm256_srli_epi16(t, 5)
        case 1: return _mm256_srli_epi16(t, 3)
        default: return _mm256_shuffle_epi8(signTable, _mm256_srli_epi16(t, 5))
        }
    }

    /// vpshufb table of `spare` for V2: index bit 0 (magnitude bit 4) → 0x10, bit 1 (sign) → 0x80.
    @inline(__always) static var signTable: __m256i {
        let t = SIMD16<Int8>(0, 0x10, -128, -112, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        return unsafeBitCast(SIMD32<Int8>(lowHalf: t, highHalf: t), to: __m256i.self)
    }
}

/// The 4 floats at p in both 128-bit lanes (vbroadcastf128).
@inline(__always) func broadcast4Floats(_ p: UnsafeRawPointer) -> __m256 {
    let v = p.loadUnaligned(as: SIMD4<Float>.self)
    return SIMD8(lowHalf: v, highHalf: v)
}

/// One octet's partial sums on the half-float path: lanes 0–3 / 4–7 of `r01` are rows 0 / 1 (4 columns each), and
/// likewise `r45`, `r23`, `r67` (the order vpunpck{l,h}bw leaves them in).
struct HalfSums {
    var r01 = _mm256_setzero_ps(), r45 = _mm256_setzero_ps(), r23 = _mm256_setzero_ps(), r67 = _mm256_setzero_ps()

    /// + the 32 weights of one slot (fp16 high bytes `h`) × the slot's 4 activations in both lanes (`x`).
    @inline(__always) mutating func add(_ h: __m256i, _ x: __m256) {
        let zero = _mm256_setzero_si256()
        let lo = _mm256_unpacklo_epi8(zero, h), hi = _mm256_unpackhi_epi8(zero, h)
        r01 = _mm256_fmadd_ps(_mm256_cvtph_ps(lo.lowHalf), x, r01)
        r45 = _mm256_fmadd_ps(_mm256_cvtph_ps(lo.highHalf), x, r45)
        r23 = _mm256_fmadd_ps(_mm256_cvtph_ps(hi.lowHalf), x, r23)
        r67 = _mm256_fmadd_ps(_mm256_cvtph_ps(hi.highHalf), x, r67)
    }

    /// The 8 row sums in the lane order rows 0, 2, 4, 6, 1, 3, 5, 7 (`OctetLayout.halfLane`): three vhaddps.
    @inline(__always) func rows() -> __m256 {
        _mm256_hadd_ps(_mm256_hadd_ps(r01, r23), _mm256_hadd_ps(r45, r67))
    }
}

/// The octet matvec of 6-bit e3m2 codes (`PackedCodeMatrix.halfFloats`): codes → fp16 (`HalfBytes`, two vpunpck)
/// → Float (vcvtph2ps) and FMAs with the Float activations themselves: the weights and the activations are exact,
/// the only error is Float rounding of the sums. Per slot of 32 weights: 1 vpand (slots 6–7: ~3 per vector they
/// gather from) + 2 vpunpck + 2 vextracti128 + 4 vcvtph2ps + 4 FMA + 1 vbroadcastf128; no per-block work. One core
/// decodes ~9 GB of codes per second this way (docs/cpu-kernels.md, "fp6cpu"), bounded by the conversion.
struct OctetHalfJob: @unchecked Sendable {
    let geometry: OctetGeometry
    /// The activations, zero-padded to whole blocks.
    let x: UnsafePointer<Float>
    /// [octet][group][8] s_g / m in the lane order of `HalfSums.rows`.
    let scales: UnsafePointer<Float>
    let zeroTerms: UnsafePointer<Float>?
    let groupSums: UnsafePointer<Float>?
    let y: UnsafeMutablePointer<Float>

    /// One octet at a time: two (`OctetPairs`, as the other octet jobs) need 8 accumulators and spilled.
    @inline(__always)
    func run(_ range: Range<Int>) {
        for g in range { store(octet(g), octet: g) }
    }

    @inline(__always)
    func store(_ t: __m256, octet g: Int) {
        let v = SIMD8<Float>(t), r0 = 8 &* g
        for i in 0..<min(8, geometry.rows &- r0) {
            y[r0 &+ i] = v[OctetLayout.halfLane(i)] - zeroPointTerm(zeroTerms, groupSums, row: r0 &+ i, groups: geometry.groups)
        }
    }

    /// Slots 3t, 3t + 1, 3t + 2 (native) and 6 + t (their spare bits) of one octet's record. Slot 6 + t is gathered
    /// while its three vectors are loaded (loading them again after slot 5 made the compiler keep all six in
    /// registers and spill), and one octet at a time (both at once spilled too).
    @inline(__always)
    static func triple(_ t: Int, _ r: UnsafeRawPointer, _ xb: UnsafeRawPointer, _ a: inout HalfSums,
                       _ signTable: __m256i) {
        let v0 = octetVector(r + 96 &* t)
        a.add(HalfBytes.native(v0), broadcast4Floats(xb + 48 &* t))
        var p = HalfBytes.spare(v0, 0, signTable)
        let v1 = octetVector(r + (96 &* t &+ 32))
        a.add(HalfBytes.native(v1), broadcast4Floats(xb + (48 &* t &+ 16)))
        p = _mm256_or_si256(p, HalfBytes.spare(v1, 1, signTable))
        let v2 = octetVector(r + (96 &* t &+ 64))
        a.add(HalfBytes.native(v2), broadcast4Floats(xb + (48 &* t &+ 32)))
        a.add(_mm256_or_si256(p, HalfBytes.spare(v2, 2, signTable)), broadcast4Floats(xb + (96 &+ 16 &* t)))
    }

    /// Octet o: Σ_g (s_g/m) · Σ_{k∈g} w_k x_k (`HalfSums.rows` lane order).
    @inline(__always)
    func octet(_ o: Int) -> __m256 {
        let groups = geometry.groups
        let so = UnsafeRawPointer(scales + o &* groups &* 8)
        var total = _mm256_setzero_ps()
        let signTable = HalfBytes.signTable
        var blk = 0
        for g in 0..<groups {
            let end = geometry.groupEnd(blk)
            var a = HalfSums()
            while blk < end {
                let r = geometry.record(o, blk), xb = UnsafeRawPointer(x + blk &* 32)
                // Written out: a `for j in 0..<8` loop stayed a loop with a branch per slot (half the speed).
                Self.triple(0, r, xb, &a, signTable)
                Self.triple(1, r, xb, &a, signTable)
                blk &+= 1
            }
            total = _mm256_fmadd_ps(a.rows(), (so + 32 &* g).loadUnaligned(as: __m256.self), total)
        }
        return total
    }
}
#endif
