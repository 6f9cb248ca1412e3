#if arch(x86_64) && os(Linux)
import _Builtin_intrinsics.intel
#endif
import LowBitCore

/// The weight-only code formats (TC-FPx, FLUTE tables, uniform integers) repacked at load for fast decoding
/// matvecs: every format is "b-bit code → table value × group scale", so one kernel serves them all.
///
/// Layout (same bytes as the checkpoint, up to rounding each row up to 32 codes and the row count up to
/// even): a row is a sequence of blocks of 32 codes, 4·b bytes each, and the rows of a pair (2i, 2i+1)
/// alternate block by block, so that the kernel, which computes two rows at a time, reads one sequential
/// stream (two interleaved 2 KB row streams left the hardware prefetcher behind: 2–3× slower from DRAM).
/// A block is made of bit planes that AVX2 turns into 32 byte indices in 2–6 instructions (`CodeBlockLayout`):
///   plane4 (16 B): byte j = code at position j (low nibble) | code at position 16+j (high nibble)
///   plane2 (8 B):  bits 2q..2q+1 of byte j = 2 bits of the code at position 8q+j
///   plane1 (4 B):  bit 8i + 7 − d of the 32-bit word = 1 bit of the code at position 4d + i (vpsllvd by d
///                  brings it to bit 7 of byte 4d + i)
///   b = 1: plane1; 2: plane2; 3: plane2 + plane1 (bit 2); 4: plane4; 5: plane4 + plane1 (bit 4);
///   6: plane4 + plane2 (bits 4–5); 8 (integers only): 32 bytes in element order.
/// Positions are the element order with the middle quarters swapped (elements 8–15 at positions 16–23,
/// 16–23 at 8–15), so that after vpshufb and vpunpck{l,h}bw the int16 values come out in element order.
///
/// Values: the table as int16, t_q(c) = round(m · table[c]) with |t_q| ≤ 16383 (lo/hi byte tables, one
/// vpshufb each per 32 codes; 5-bit codes: 2 vpshufb + vpblendvb per byte; 6-bit codes: 4 vpshufb + 3 vpblendvb,
/// or, for sign-symmetric tables such as FPx, a 5-bit magnitude lookup and vpsignw; integer codes (identity
/// table) need no lookup). m is the largest power of two that keeps |t_q| ≤ 16383 when that makes every entry an
/// integer (integers, FPx: exact), else 16383 / max|table| (lookup tables: |t_q/m − table[c]| ≤ max|table| / 32766).
/// Activations: int16 per block of 32 (`DecodeActivations`: x ≈ scale_b · q, |error| ≤ scale_b / 2).
/// One block: two vpmaddwd give Σ t_q·q exactly in int32 (4 products per lane, each ≤ 16383·32767: no
/// overflow), one vcvtdq2ps and one FMA by scale_b; per group one FMA by s_g / m; the zero points fold in as
/// −Σ_g s_g·z_g·Σ_{k∈g} x_k (exact Float sums of x). Error bound of one output, on top of Float rounding:
///   Σ_k |s_g(k)| · ( |table[c_k]| · scale_b(k) / 2 + δ · (|x_k| + scale_b(k) / 2) ),  δ = 0 or max|table| / 32766.
/// Group scales may be negative (`lowbit quantize --signed-scales`: a negative scale mirrors the table).
/// Several tokens (prompts) decode each row once to Float through the exact Float table.
public final class PackedCodeMatrix: @unchecked Sendable {
    // @unchecked Sendable: immutable after init; the buffers are owned here.
    public let rows: Int
    public let cols: Int
    public let bits: Int
    public let groupSize: Int
    public let groups: Int
    let blocksPerRow: Int
    let blockBytes: Int
    /// Bytes of one row pair (its blocks alternate: row 2i block b, row 2i+1 block b, …).
    let pairStride: Int
    let codes: UnsafeMutableRawPointer
    /// [rows][groups] s_g / m.
    let scales: UnsafeMutablePointer<Float>
    /// [rows][groups] s_g · z_g (exact: fp16 × fp16 fits Float), or nil without zero points.
    let zeroTerms: UnsafeMutablePointer<Float>?
    /// [rows][groups] s_g and z_g as Float (the exact dequantization).
    let exactScales: UnsafeMutablePointer<Float>
    let exactZeros: UnsafeMutablePointer<Float>?
    let constantZero: Float
    /// 256 Float entries: the exact table.
    let table: UnsafeMutablePointer<Float>
    /// Row-pair path: 64 lo bytes then 64 hi bytes of t_q (bits ≤ 6). Octet path: the bytes u = t_q + 63 (5 bits:
    /// 32 of them), and with a two-level table (`splitTable`) the low level's bytes l + 32 at offset 32.
    let tableBytes: UnsafeMutablePointer<UInt8>
    /// m and the bound δ on |t_q/m − table|.
    public let tableMultiplier: Float
    public let tableError: Float
    /// table[c] = c (uniform integers): the codes are the int16 values, no lookup.
    let identity: Bool
    /// 6-bit table with t_q(c + 32) = −t_q(c) (FPx, symmetric tables): 5-bit magnitude lookup and vpsignw.
    let signSymmetric: Bool
    /// Codes of 1–5 bits: 8 rows interleaved per block (`OctetLayout`), int8 activations and vpmaddubsw
    /// (docs/cpu-kernels.md, c1); 6-bit e3m2 (`halfFloats`) on the same octets through fp16.
    /// `LOWBIT_CODES_INT16=1` keeps the row-pair int16 kernel (A/B runs).
    public let octets: Bool
    /// Octet path with integer codes ≤ 4 bits: the weight byte is the code, and the activations are q + r/127
    /// (int8 and an int8 residual): the weights are exact, so the activations are the only error (int8 alone:
    /// KL(prompt ‖ decode) up to 0.04 for int4, 2–12 for int2, docs/cpu-kernels.md c2). Otherwise on the octet
    /// path: u = t_q + 63 with |t_q| ≤ 63 (tables that 7 bits hold exactly: FPx e2m2, e2m1), activations q + r/127
    /// unless `tableResidual` is off (A/B runs: int8 activations alone cost logits accuracy, c2–c5), or a two-level
    /// table (`splitTable`).
    public let smallCodes: Bool
    public let tableResidual: Bool
    /// Octet path for tables that 7 bits cannot hold (NormalFloat, learned) of `twoLevelTableBits`: m·t ≈ h + l/64,
    /// |h| ≤ 63, |l| ≤ 32 (`OctetTable16Split`), activations always q + r/127; `tableError` ≤ max|t| / (63 · 128).
    /// The 7-bit table alone (session 3's c1, 1/126 of max|t|) made CPU decode differ from the GPU's fp16 tables by
    /// 1.4–1.6 % in the model self-test's logits (bound 1 %); fp16 itself rounds a table entry by up to 1/2048 of it.
    public let splitTable: Bool
    /// Widths whose inexact tables take the two-level octet table rather than the int16 kernel: where it measured
    /// faster (docs/cpu-kernels.md c6: nf3 −7…−30 % CPU time per call; nf4 +6…+33 % and nf2 −14…+32 %, so those
    /// keep the int16 kernel). The kernel itself handles 1–4 bits (`PackedCodeMatrixTests` covers them all).
    public static let twoLevelTableBits: Set<Int> = [3]
    /// On by default: with the residual, decode on exact tables (fp5 e2m2, fpe2m1) is as precise as the int16
    /// kernel's; `LOWBIT_CODES_TABLE_RESIDUAL=0` turns it off (A/B runs).
    public static let defaultTableResidual = getEnvironment("LOWBIT_CODES_TABLE_RESIDUAL") != "0"
    /// Bytes of one octet (8 rows × all blocks), octet path.
    let octetBytes: Int
    /// 6-bit tables that are e3m2 (fp6) up to a power of two (`halfFloatMultiplier`): octet path with the codes stored as
    /// fp16 high bytes (`OctetLayout` 6 bits), converted with vcvtph2ps and multiplied by the Float activations
    /// (`OctetHalfJob`): weights and activations exact (docs/cpu-kernels.md, "fp6cpu").
    public let halfFloats: Bool
    /// Other sign-symmetric 6-bit tables whose 32 magnitudes one power of two makes integers ≤ 63 (fpe2m3): octet path
    /// on the same 6-bit layout, magnitudes by vpshufb, the sign on the int8 activations and their residual
    /// (`OctetSigned32`, `OctetJob.signedBlock`).
    public let signedOctets: Bool

    /// How the activations are quantized per block of 32 (b = max|x_b|): the error of one element is at most
    /// b · `activationErrorFraction` (round to nearest on the grids below).
    public enum ActivationCoding: Sendable {
        /// x ≈ (b/32767)·q, q int16: error ≤ b / 65534.
        case int16
        /// x ≈ (b/127)·(q + r/127), q, r int8: error ≤ b / (127 · 254).
        case int8Residual
        /// x ≈ (b/127)·q, q int8: error ≤ b / 254.
        case int8
        /// x itself (Float FMAs, `halfFloats`): no error.
        case float
    }
    public var activationCoding: ActivationCoding {
        if halfFloats { return .float }
        return octets ? (smallCodes || tableResidual || splitTable || signedOctets ? .int8Residual : .int8) : .int16
    }
    public var activationErrorFraction: Float {
        switch activationCoding {
        case .float: return 0
        case .int16: return 1 / 65534
        case .int8Residual: return 1 / (127 * 254)
        case .int8: return 1 / 254
        }
    }
    public static let forceInt16 = getEnvironment("LOWBIT_CODES_INT16") == "1"

    /// Whether the octet path represents the 2^bits table entries exactly: integer codes (identity tables), or every
    /// entry times one power of two is an integer of magnitude ≤ `octetLimit` (FPx e2m2, e2m1, …).
    static func octetTableIsExact(_ table: UnsafePointer<Float>, bits: Int) -> Bool {
        let entries = 1 << min(bits, 8)
        if (0..<entries).allSatisfy({ table[$0] == Float($0) }) { return true }
        let maxAbs = (0..<entries).map { abs(table[$0]) }.max() ?? 0
        guard maxAbs > 0, maxAbs.isFinite else { return maxAbs == 0 }
        return tableScaling(table, entries: entries, maxAbs: maxAbs, limit: octetLimit).exact
    }

    /// The multiplier m that puts the table on an integer grid within ±`limit`: the largest power of two with
    /// m · max|table| ≤ limit when that makes every entry an integer (`exact`), else limit / max|table|.
    static func tableScaling(_ table: UnsafePointer<Float>, entries: Int, maxAbs: Float, limit: Float)
        -> (m: Float, exact: Bool) {
        let m = Float(sign: .plus, exponent: Int((limit / maxAbs).exponent), significand: 1)
        let exact = (0..<entries).allSatisfy { (table[$0] * m).rounded() == table[$0] * m }
        return exact ? (m, true) : (limit / maxAbs, false)
    }

    /// Octet table values: |t_q| ≤ 63, u = t_q + 63 ≤ 126 (a vpmaddubsw pair with q ≤ 2 · 126 · 127 < 32768;
    /// with r, two pairs ≤ 4 · 126 · 64 < 32768).
    static let octetLimit: Float = 63
    /// Two-level tables' low level: |l| ≤ 32, bytes l + 32 ≤ 64 (two slots' vpmaddubsw with q summed in int16:
    /// 4 · 64 · 127 < 32768).
    static let splitLowLimit: Float = 32

    static let valueLimit: Float = 16383

    /// The fp16 number whose bit pattern is the 6-bit code c's sign (bit 5) at bit 15 and its other bits at bits
    /// 8–12: for e3m2 (and only for tables equal to it up to a power of two) the table entry × 2^-12.
    static func halfFloat(code c: Int) -> Float {
        Float(Float16(bitPattern: UInt16(c & 31) << 8 | UInt16((c >> 5) & 1) << 15))
    }

    /// m (a power of two) with table[c + 32] = −table[c] and table[c] · m an integer of magnitude ≤ `octetLimit` for the
    /// 32 codes c < 32; nil for other tables and widths.
    static func signedMultiplier(_ table: UnsafePointer<Float>, bits: Int) -> Float? {
        guard bits == 6, (0..<32).allSatisfy({ table[$0 + 32] == -table[$0] }) else { return nil }
        let maxAbs = (0..<32).map { abs(table[$0]) }.max() ?? 0
        guard maxAbs > 0, maxAbs.isFinite else { return nil }
        let (m, exact) = tableScaling(table, entries: 32, maxAbs: maxAbs, limit: octetLimit)
        return exact ? m : nil
    }

    /// m with table[c] · m = `halfFloat(code: c)` for all 64 codes, m a power of two; nil for other tables.
    static func halfFloatMultiplier(_ table: UnsafePointer<Float>, bits: Int) -> Float? {
        guard bits == 6, table[31] != 0, table[31].isFinite else { return nil }
        let m = halfFloat(code: 31) / table[31]
        guard m.isFinite, m > 0, m.significandBitPattern == 0 else { return nil }
        return (0..<64).allSatisfy({ table[$0] * m == halfFloat(code: $0) }) ? m : nil
    }

    /// Whether this kernel handles `w` (else use `CodeMatmul`).
    public static func supports(_ w: CodeMatrixView) -> Bool {
        #if arch(x86_64) && os(Linux)
        guard w.cols > 0, w.rows > 0 else { return false }
        let groupOK = w.groupSize >= w.cols || w.groupSize % 32 == 0
        switch w.bits {
        case 1...6: return groupOK
        case 8: return groupOK && (0..<256).allSatisfy { w.table[$0] == Float($0) }
        default: return false
        }
        #else
        return false
        #endif
    }

    /// Repacks `w` (nil when `supports(w)` is false). The view's buffers are only read here.
    /// `int16`: the row-pair int16 kernel for every bit width (default: `LOWBIT_CODES_INT16=1`), else codes of
    /// 1–5 bits take the octet path.
    /// 1–5 bits take the octet path when their table is exact there, or two-level (`twoLevelTableBits`).
    /// `twoLevelBits` overrides `twoLevelTableBits` (tests).
    public init?(_ w: CodeMatrixView, int16: Bool = PackedCodeMatrix.forceInt16,
                 tableResidual: Bool = PackedCodeMatrix.defaultTableResidual,
                 twoLevelBits: Set<Int> = PackedCodeMatrix.twoLevelTableBits) {
        guard Self.supports(w) else { return nil }
        self.tableResidual = tableResidual
        rows = w.rows
        cols = w.cols
        bits = w.bits
        groups = w.groups
        groupSize = w.groupSize
        blocksPerRow = (cols + 31) / 32
        blockBytes = 4 * bits
        pairStride = 2 * blocksPerRow * blockBytes
        let exactOnOctets = Self.octetTableIsExact(w.table, bits: bits)
        let halfMultiplier = int16 ? nil : Self.halfFloatMultiplier(w.table, bits: bits)
        halfFloats = halfMultiplier != nil
        let signedMultiplier = int16 || halfFloats ? nil : Self.signedMultiplier(w.table, bits: bits)
        signedOctets = signedMultiplier != nil
        let octets = halfFloats || signedOctets || (bits <= 5 && !int16 && (exactOnOctets || (bits <= 4 && twoLevelBits.contains(bits))))
        self.octets = octets
        splitTable = octets && !halfFloats && !signedOctets && !exactOnOctets
        octetBytes = blocksPerRow * OctetLayout(bits: bits).recordBytes
        let pairs = (rows + 1) / 2, octetCount = (rows + 7) / 8
        let codeBytes = octets ? octetCount * octetBytes : pairs * pairStride
        codes = .allocate(byteCount: codeBytes + 32, alignment: 64)
        codes.initializeMemory(as: UInt8.self, repeating: 0, count: codeBytes + 32)
        let n = rows * groups, paddedN = octets ? 8 * octetCount * groups : 2 * pairs * groups
        table = .allocate(capacity: 256)
        table.initialize(from: w.table, count: 256)
        let entries = 1 << min(bits, 8)
        let maxAbs = (0..<entries).map { abs(w.table[$0]) }.max() ?? 0
        var m: Float = 1
        identity = (0..<entries).allSatisfy { w.table[$0] == Float($0) }
        smallCodes = octets && identity && bits <= 4
        let limit = octets ? Self.octetLimit : Self.valueLimit
        if let hm = halfMultiplier ?? signedMultiplier {
            m = hm
        } else if maxAbs > 0 && !(identity && (!octets || smallCodes)) {
            // identity tables (integers) on the int16 and small-code paths: the code itself is the value (m = 1)
            m = Self.tableScaling(w.table, entries: entries, maxAbs: maxAbs, limit: limit).m
        }
        tableMultiplier = m
        tableBytes = .allocate(capacity: 128)
        tableBytes.initialize(repeating: 0, count: 128)
        var worst: Float = 0
        var quantized = [Int16](repeating: 0, count: entries)
        if halfFloats {
            // fp16 holds every entry exactly (`halfFloatMultiplier`): no table bytes, no table error.
        } else if signedOctets {
            // The 32 magnitudes, exact integers ≤ 63 (`signedMultiplier`).
            for c in 0..<entries {
                quantized[c] = Int16((w.table[c] * m).rounded())
                if c < 32 { tableBytes[c] = UInt8(abs(Int(quantized[c]))) }
            }
        } else if octets {
            for c in 0..<entries {
                let scaled = w.table[c] * m
                let q = max(-limit, min(limit, scaled.rounded()))
                quantized[c] = Int16(q)
                tableBytes[c] = UInt8(Int(q) + Int(limit))
                if splitTable {
                    // The low level: the rounding remainder (|scaled − q| ≤ 1/2) in 64ths.
                    let l = max(-Self.splitLowLimit, min(Self.splitLowLimit, ((scaled - q) * 64).rounded()))
                    tableBytes[32 + c] = UInt8(Int(l) + Int(Self.splitLowLimit))
                    worst = max(worst, abs(Float((Double(q) + Double(l) / 64) / Double(m)) - w.table[c]))
                } else {
                    worst = max(worst, abs(q / m - w.table[c]))
                }
            }
        } else if bits <= 6 {
            for c in 0..<entries {
                let q = Int16(max(-Self.valueLimit, min(Self.valueLimit, (w.table[c] * m).rounded())))
                quantized[c] = q
                worst = max(worst, abs(Float(q) / m - w.table[c]))
                tableBytes[c] = UInt8(truncatingIfNeeded: q)
                tableBytes[64 + c] = UInt8(truncatingIfNeeded: q >> 8)
            }
        }
        tableError = worst
        signSymmetric = bits == 6 && (halfFloats || (0..<32).allSatisfy { quantized[$0 + 32] == -quantized[$0] })
        // A padding row (odd row counts) has scale 0: the kernel computes it with its partner and drops it.
        scales = .allocate(capacity: paddedN)
        scales.initialize(repeating: 0, count: paddedN)
        exactScales = .allocate(capacity: n)
        constantZero = w.constantZero
        if w.hasZeroPoints {
            zeroTerms = .allocate(capacity: n)
            exactZeros = .allocate(capacity: n)
        } else {
            zeroTerms = nil
            exactZeros = nil
        }
        for i in 0..<n {
            let s = Float(w.scales[i])
            // Octets: [octet][group][8 rows]; row pairs: [row][group].
            let r = i / groups, g = i % groups
            let lane = halfFloats ? OctetLayout.halfLane(r & 7) : r & 7
            scales[octets ? ((r >> 3) * groups + g) * 8 + lane : i] = s / m
            exactScales[i] = s
            if let zt = zeroTerms, let ez = exactZeros {
                let z = w.zero(i)
                zt[i] = s * z
                ez[i] = z
            }
        }
        let unpack = CodeUnpacker(bits: bits)
        let layout = CodeBlockLayout(bits: bits), octetLayout = OctetLayout(bits: bits)
        let cols = cols
        // Ranges of 16 rows: a byte of either layout belongs to one row, and different rows never share one.
        Parallel.forRanges(count: rows, granule: 16) { range in
            for r in range {
                let src = w.codes + r * w.rowBytes
                for k in 0..<cols {
                    let c = unpack.code(src, k)
                    if octets {
                        octetLayout.place(UInt8(truncatingIfNeeded: c), row: r & 7, element: k & 31,
                                          record: self.record(octet: r >> 3, k >> 5))
                    } else {
                        layout.place(c, element: k & 31, block: self.block(row: r, k >> 5))
                    }
                }
            }
        }
    }

    deinit {
        codes.deallocate()
        scales.deallocate()
        zeroTerms?.deallocate()
        exactScales.deallocate()
        exactZeros?.deallocate()
        table.deallocate()
        tableBytes.deallocate()
    }

    /// Bytes read per matvec (codes and Float scales/zero terms).
    public var bytesRead: Int {
        (octets ? (rows + 7) / 8 * octetBytes : (rows + 1) / 2 * pairStride) + rows * groups * (zeroTerms == nil ? 4 : 8)
    }

    /// Block b of octet o (octet path).
    @inline(__always) func record(octet o: Int, _ b: Int) -> UnsafeMutableRawPointer {
        codes + o * octetBytes + b * 32 * bits
    }

    /// Block b of row r.
    @inline(__always) func block(row r: Int, _ b: Int) -> UnsafeMutableRawPointer {
        codes + (r >> 1) * pairStride + (2 * b + (r & 1)) * blockBytes
    }

    /// y [tokens, rows] = x [tokens, cols] · Ŵᵀ.
    public func matmul(x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>) {
        if tokens == 1 {
            matvec(x: x, y: y)
            return
        }
        let rows = rows, cols = cols
        Parallel.forRanges(count: rows, granule: 8, oversubscribe: 4) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: blocksPerRow * 32)
            defer { scratch.deallocate() }
            for r in range {
                dequantizeRow(r, into: scratch)
                for t in 0..<tokens { y[t * rows + r] = dot(UnsafePointer(scratch), x + t * cols, cols) }
            }
        }
    }

    /// Row `row` of Ŵ as Float, exactly (s_g · (table[c] − z_g) in Float), `cols` values.
    public func dequantizeRow(_ row: Int, into out: UnsafeMutablePointer<Float>) {
        let layout = CodeBlockLayout(bits: bits), octetLayout = OctetLayout(bits: bits)
        for b in 0..<blocksPerRow {
            // Groups are multiples of 32 columns (or the whole row): one scale per block.
            let g = row * groups + (b * 32) / groupSize
            let z = exactZeros.map { $0[g] } ?? constantZero, s = exactScales[g]
            if octets {
                let record = UnsafeRawPointer(self.record(octet: row >> 3, b))
                for e in 0..<min(32, cols - b * 32) {
                    out[b * 32 + e] = (table[Int(octetLayout.code(row: row & 7, element: e, record: record))] - z) * s
                }
            } else {
                let block = UnsafeRawPointer(self.block(row: row, b))
                for e in 0..<min(32, cols - b * 32) {
                    out[b * 32 + e] = (table[Int(layout.code(element: e, block: block))] - z) * s
                }
            }
        }
    }

    /// One token: int16 activations × int16 table values (see the type's documentation).
    func matvec(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        #if arch(x86_64) && os(Linux)
        let padded = blocksPerRow * 32
        // Per-group sums of x for the zero-point term.
        var groupSums: UnsafeMutablePointer<Float>?
        if zeroTerms != nil {
            let sums = UnsafeMutablePointer<Float>.allocate(capacity: groups)
            for g in 0..<groups {
                var s: Float = 0
                for k in (g * groupSize)..<min(cols, (g + 1) * groupSize) { s += x[k] }
                sums[g] = s
            }
            groupSums = sums
        }
        defer { groupSums?.deallocate() }
        // Widths that are not a multiple of 32 get a zero-padded copy of x.
        var paddedX: UnsafeMutablePointer<Float>?
        if padded != cols {
            let xp = UnsafeMutablePointer<Float>.allocate(capacity: padded)
            xp.initialize(from: x, count: cols)
            (xp + cols).initialize(repeating: 0, count: padded - cols)
            paddedX = xp
        }
        defer { paddedX?.deallocate() }
        let xs = paddedX.map { UnsafePointer($0) } ?? x
        if halfFloats {
            halfMatvec(xs, groupSums: groupSums, y: y)
            return
        }
        let act = DecodeActivations(xs, cols: padded)
        if octets {
            octetMatvec(act, groupSums: groupSums, y: y)
            return
        }
        let job = MatvecJob(codes: codes, pairStride: pairStride, blockBytes: blockBytes, blocks: blocksPerRow,
                            blocksPerGroup: groups == 1 ? blocksPerRow : groupSize / 32, groups: groups,
                            x: UnsafePointer(act.codes), xScales: UnsafePointer(act.scales),
                            scales: scales, zeroTerms: zeroTerms, groupSums: groupSums, y: y)
        let tb = UnsafeRawPointer(tableBytes)
        let bits = identity && bits <= 4 ? -bits : (signSymmetric ? 7 : bits)
        // The closure is not generic: generic specializations of closures lose the AVX2 target attributes
        // (the intrinsics then stay calls, seen in the assembly), so the format switch is inside it.
        Parallel.forRanges(count: rows, granule: 8, oversubscribe: 4) { range in
            let lo0 = _mm256_broadcastsi128_si256(tb.loadUnaligned(as: __m128i.self))
            let hi0 = _mm256_broadcastsi128_si256((tb + 64).loadUnaligned(as: __m128i.self))
            switch bits {
            case -1: job.rows(range, Identity16(layout: Plane1Indices()))
            case -2: job.rows(range, Identity16(layout: Plane2Indices()))
            case -3: job.rows(range, Identity16(layout: Plane21Indices()))
            case -4: job.rows(range, Identity16(layout: Plane4Indices()))
            case 1: job.rows(range, Lookup16(layout: Plane1Indices(), lo: lo0, hi: hi0))
            case 2: job.rows(range, Lookup16(layout: Plane2Indices(), lo: lo0, hi: hi0))
            case 3: job.rows(range, Lookup16(layout: Plane21Indices(), lo: lo0, hi: hi0))
            case 4: job.rows(range, Lookup16(layout: Plane4Indices(), lo: lo0, hi: hi0))
            case 5, 7:
                let lo1 = _mm256_broadcastsi128_si256((tb + 16).loadUnaligned(as: __m128i.self))
                let hi1 = _mm256_broadcastsi128_si256((tb + 80).loadUnaligned(as: __m128i.self))
                let l32 = Lookup32(lo0: lo0, lo1: lo1, hi0: hi0, hi1: hi1)
                if bits == 5 { job.rows(range, l32) } else { job.rows(range, SignedLookup32(magnitude: l32)) }
            case 6: job.rows(range, Lookup64(tables: tb))
            default: job.rows(range, Bytes8())
            }
        }
        #else
        preconditionFailure("PackedCodeMatrix is x86-64 only (supports() is false elsewhere)")
        #endif
    }

    #if arch(x86_64) && os(Linux)
    /// One token on the half-float octet path (`OctetHalfJob`); `x` has whole blocks.
    private func halfMatvec(_ x: UnsafePointer<Float>, groupSums: UnsafeMutablePointer<Float>?,
                            y: UnsafeMutablePointer<Float>) {
        let geometry = octetGeometry
        let job = OctetHalfJob(geometry: geometry, x: x, scales: UnsafePointer(scales),
                               zeroTerms: zeroTerms.map { UnsafePointer($0) },
                               groupSums: groupSums.map { UnsafePointer($0) }, y: y)
        // Not generic (see `matvec`).
        Parallel.forRanges(count: geometry.octets, granule: geometry.granule, oversubscribe: geometry.octets) { range in
            job.run(range)
        }
    }

    /// Where the octets are (octet paths).
    private var octetGeometry: OctetGeometry {
        OctetGeometry(codes: UnsafeRawPointer(codes), octetBytes: octetBytes, recordBytes: 32 * bits,
                      blocks: blocksPerRow, blocksPerGroup: groups == 1 ? blocksPerRow : groupSize / 32,
                      groups: groups, rows: rows)
    }

    /// One token on the octet path (`OctetLayout`, `OctetJob`).
    private func octetMatvec(_ act: borrowing DecodeActivations, groupSums: UnsafeMutablePointer<Float>?,
                             y: UnsafeMutablePointer<Float>) {
        let blocks = blocksPerRow
        // The table offsets' share of the block sums: 63 · Σ q, 63 · Σ r and (two-level tables) 32 · Σ q per block.
        let offsets = UnsafeMutablePointer<Int32>.allocate(capacity: 3 * blocks)
        defer { offsets.deallocate() }
        for b in 0..<blocks {
            var s: Int32 = 0, r: Int32 = 0
            for k in 0..<32 {
                s &+= Int32(act.codes8[b * 64 + k])
                r &+= Int32(act.codes8[b * 64 + 32 + k])
            }
            offsets[3 * b] = smallCodes ? 0 : Int32(Self.octetLimit) * s
            offsets[3 * b + 1] = smallCodes ? 0 : Int32(Self.octetLimit) * r
            offsets[3 * b + 2] = Int32(Self.splitLowLimit) * s
        }
        let geometry = octetGeometry
        let job = OctetJob(geometry: geometry, x8: UnsafeRawPointer(act.codes8), xScales: UnsafePointer(act.scales8),
                           offsets: UnsafePointer(offsets), scales: UnsafePointer(scales),
                           zeroTerms: zeroTerms.map { UnsafePointer($0) }, groupSums: groupSums.map { UnsafePointer($0) },
                           y: y, residual: tableResidual, small: smallCodes, split: splitTable, signed: signedOctets)
        let octetCount = geometry.octets, granule = geometry.granule
        let tb = UnsafeRawPointer(tableBytes)
        let kind = smallCodes ? -bits : (splitTable ? 8 + bits : (signedOctets ? 16 : bits))
        // Not generic (see `matvec`): the format switch is inside the closure.
        Parallel.forRanges(count: octetCount, granule: granule, oversubscribe: octetCount) { range in
            let t0 = _mm256_broadcastsi128_si256(tb.loadUnaligned(as: __m128i.self))
            switch kind {
            case -1: job.run(range, OctetIdentity(layout: Octet1()))
            case -2: job.run(range, OctetIdentity(layout: Octet2()))
            case -3: job.run(range, OctetIdentity(layout: Octet3()))
            case -4: job.run(range, OctetIdentity(layout: Octet4()))
            case 1: job.run(range, OctetTable16(layout: Octet1(), table: t0))
            case 2: job.run(range, OctetTable16(layout: Octet2(), table: t0))
            case 3: job.run(range, OctetTable16(layout: Octet3(), table: t0))
            case 4: job.run(range, OctetTable16(layout: Octet4(), table: t0))
            case 16:
                let t1 = _mm256_broadcastsi128_si256((tb + 16).loadUnaligned(as: __m128i.self))
                job.run(range, OctetSigned32(table0: t0, table1: t1))
            case 9, 10, 11, 12:
                let low = _mm256_broadcastsi128_si256((tb + 32).loadUnaligned(as: __m128i.self))
                switch kind {
                case 9: job.run(range, OctetTable16Split(layout: Octet1(), table: t0, low: low))
                case 10: job.run(range, OctetTable16Split(layout: Octet2(), table: t0, low: low))
                case 11: job.run(range, OctetTable16Split(layout: Octet3(), table: t0, low: low))
                default: job.run(range, OctetTable16Split(layout: Octet4(), table: t0, low: low))
                }
            default:
                let t1 = _mm256_broadcastsi128_si256((tb + 16).loadUnaligned(as: __m128i.self))
                job.run(range, OctetTable32(table0: t0, table1: t1))
            }
        }
    }
    #endif
}

// MARK: - Block layout (scalar: repacking and exact dequantization)

/// Where code bits live inside one block of 32 codes (see `PackedCodeMatrix`).
struct CodeBlockLayout {
    let bits: Int

    /// Position of element e in the 32 decoded index bytes (middle quarters swapped; an involution).
    @inline(__always) static func position(_ e: Int) -> Int {
        (e >> 3) == 1 ? e + 8 : ((e >> 3) == 2 ? e - 8 : e)
    }

    func place(_ code: UInt32, element e: Int, block: UnsafeMutableRawPointer) {
        let p = Self.position(e), c = UInt8(code)
        let b = block.assumingMemoryBound(to: UInt8.self)
        switch bits {
        case 1: setPlane1(b, p, c & 1)
        case 2: setPlane2(b, p, c & 3)
        case 3: setPlane2(b, p, c & 3); setPlane1(b + 8, p, c >> 2)
        case 4: setPlane4(b, p, c)
        case 5: setPlane4(b, p, c & 15); setPlane1(b + 16, p, c >> 4)
        case 6: setPlane4(b, p, c & 15); setPlane2(b + 16, p, c >> 4)
        default: b[e] = c
        }
    }

    func code(element e: Int, block: UnsafeRawPointer) -> UInt8 {
        let p = Self.position(e)
        let b = block.assumingMemoryBound(to: UInt8.self)
        switch bits {
        case 1: return plane1(b, p)
        case 2: return plane2(b, p)
        case 3: return plane2(b, p) | plane1(b + 8, p) << 2
        case 4: return plane4(b, p)
        case 5: return plane4(b, p) | plane1(b + 16, p) << 4
        case 6: return plane4(b, p) | plane2(b + 16, p) << 4
        default: return b[e]
        }
    }

    private func setPlane4(_ b: UnsafeMutablePointer<UInt8>, _ p: Int, _ c: UInt8) {
        b[p & 15] |= p < 16 ? c : c << 4
    }
    private func setPlane2(_ b: UnsafeMutablePointer<UInt8>, _ p: Int, _ c: UInt8) {
        b[p & 7] |= c << UInt8(2 * (p >> 3))
    }
    private func setPlane1(_ b: UnsafeMutablePointer<UInt8>, _ p: Int, _ c: UInt8) {
        let bit = 8 * (p & 3) + 7 - (p >> 2)
        b[bit >> 3] |= c << UInt8(bit & 7)
    }
    private func plane4(_ b: UnsafePointer<UInt8>, _ p: Int) -> UInt8 {
        p < 16 ? b[p] & 15 : b[p - 16] >> 4
    }
    private func plane2(_ b: UnsafePointer<UInt8>, _ p: Int) -> UInt8 {
        (b[p & 7] >> UInt8(2 * (p >> 3))) & 3
    }
    private func plane1(_ b: UnsafePointer<UInt8>, _ p: Int) -> UInt8 {
        let bit = 8 * (p & 3) + 7 - (p >> 2)
        return (b[bit >> 3] >> UInt8(bit & 7)) & 1
    }
}

#if arch(x86_64) && os(Linux)

// MARK: - SIMD decoding (AVX2)

/// 32 codes of one block → the int16 values t_q in element order (elements 0–15, 16–31).
protocol BlockValues {
    func values(_ block: UnsafeRawPointer) -> (__m256i, __m256i)
}

/// 32 index bytes (< 16) in position order.
protocol BlockIndices {
    func indices(_ block: UnsafeRawPointer) -> __m256i
}

@inline(__always) func plane4Indices(_ p: UnsafeRawPointer) -> __m256i {
    let v = _mm256_broadcastsi128_si256(p.loadUnaligned(as: __m128i.self))
    return _mm256_and_si256(_mm256_srlv_epi64(v, _mm256_setr_epi64x(0, 0, 4, 4)), _mm256_set1_epi8(15))
}

@inline(__always) func plane2Indices(_ p: UnsafeRawPointer) -> __m256i {
    let v = _mm256_set1_epi64x(p.loadUnaligned(as: Int64.self))
    return _mm256_and_si256(_mm256_srlv_epi64(v, _mm256_setr_epi64x(0, 2, 4, 6)), _mm256_set1_epi8(3))
}

/// Bit 7 of each position's byte = its plane1 bit (other bits: garbage). vpblendvb reads only bit 7.
@inline(__always) func plane1Top(_ p: UnsafeRawPointer) -> __m256i {
    _mm256_sllv_epi32(_mm256_set1_epi32(p.loadUnaligned(as: Int32.self)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
}

struct Plane1Indices: BlockIndices {
    @inline(__always) func indices(_ b: UnsafeRawPointer) -> __m256i {
        _mm256_and_si256(_mm256_srli_epi16(plane1Top(b), 7), _mm256_set1_epi8(1))
    }
}
struct Plane2Indices: BlockIndices {
    @inline(__always) func indices(_ b: UnsafeRawPointer) -> __m256i { plane2Indices(b) }
}
struct Plane21Indices: BlockIndices {
    @inline(__always) func indices(_ b: UnsafeRawPointer) -> __m256i {
        _mm256_or_si256(plane2Indices(b), _mm256_and_si256(_mm256_srli_epi16(plane1Top(b + 8), 5), _mm256_set1_epi8(4)))
    }
}
struct Plane4Indices: BlockIndices {
    @inline(__always) func indices(_ b: UnsafeRawPointer) -> __m256i { plane4Indices(b) }
}

/// lo/hi bytes in position order → int16 values in element order.
@inline(__always) func interleave(_ lo: __m256i, _ hi: __m256i) -> (__m256i, __m256i) {
    (_mm256_unpacklo_epi8(lo, hi), _mm256_unpackhi_epi8(lo, hi))
}

/// ≤ 4-bit codes: one vpshufb per byte of the values.
struct Lookup16<L: BlockIndices>: BlockValues {
    let layout: L
    let lo: __m256i
    let hi: __m256i
    @inline(__always) func values(_ b: UnsafeRawPointer) -> (__m256i, __m256i) {
        let i = layout.indices(b)
        return interleave(_mm256_shuffle_epi8(lo, i), _mm256_shuffle_epi8(hi, i))
    }
}

/// ≤ 4-bit integer codes (identity table): the indices zero-extended to int16 are the values.
struct Identity16<L: BlockIndices>: BlockValues {
    let layout: L
    @inline(__always) func values(_ b: UnsafeRawPointer) -> (__m256i, __m256i) {
        interleave(layout.indices(b), _mm256_setzero_si256())
    }
}

/// 5-bit codes: plane4 + plane1; two vpshufb and a vpblendvb per byte.
struct Lookup32: BlockValues {
    let lo0: __m256i
    let lo1: __m256i
    let hi0: __m256i
    let hi1: __m256i
    /// Entries i (bit 7 of `m` clear) or 16 + i (set) as int16, element order.
    @inline(__always) func lookup(_ i: __m256i, _ m: __m256i) -> (__m256i, __m256i) {
        let lo = _mm256_blendv_epi8(_mm256_shuffle_epi8(lo0, i), _mm256_shuffle_epi8(lo1, i), m)
        let hi = _mm256_blendv_epi8(_mm256_shuffle_epi8(hi0, i), _mm256_shuffle_epi8(hi1, i), m)
        return interleave(lo, hi)
    }
    @inline(__always) func values(_ b: UnsafeRawPointer) -> (__m256i, __m256i) {
        lookup(plane4Indices(b), plane1Top(b + 16))
    }
}

/// 6-bit codes: plane4 + plane2; four vpshufb and three vpblendvb per byte.
struct Lookup64: BlockValues {
    let l0: __m256i, l1: __m256i, l2: __m256i, l3: __m256i
    let h0: __m256i, h1: __m256i, h2: __m256i, h3: __m256i
    init(tables t: UnsafeRawPointer) {
        func row(_ o: Int) -> __m256i { _mm256_broadcastsi128_si256((t + o).loadUnaligned(as: __m128i.self)) }
        (l0, l1, l2, l3) = (row(0), row(16), row(32), row(48))
        (h0, h1, h2, h3) = (row(64), row(80), row(96), row(112))
    }
    @inline(__always) func values(_ b: UnsafeRawPointer) -> (__m256i, __m256i) {
        let i = plane4Indices(b), top = plane2Indices(b + 16)
        // vpblendvb reads bit 7 of each byte: bit 0 of `top` shifted there, then bit 1.
        let m0 = _mm256_slli_epi16(top, 7), m1 = _mm256_slli_epi16(top, 6)
        let lo = _mm256_blendv_epi8(_mm256_blendv_epi8(_mm256_shuffle_epi8(l0, i), _mm256_shuffle_epi8(l1, i), m0),
                                    _mm256_blendv_epi8(_mm256_shuffle_epi8(l2, i), _mm256_shuffle_epi8(l3, i), m0), m1)
        let hi = _mm256_blendv_epi8(_mm256_blendv_epi8(_mm256_shuffle_epi8(h0, i), _mm256_shuffle_epi8(h1, i), m0),
                                    _mm256_blendv_epi8(_mm256_shuffle_epi8(h2, i), _mm256_shuffle_epi8(h3, i), m0), m1)
        return interleave(lo, hi)
    }
}

/// 6-bit codes of a sign-symmetric table (bit 5 = sign): the 5-bit magnitude as `Lookup32` (plane4 + bit 0 of
/// plane2), the sign as ±1 bytes widened to int16 and applied with vpsignw (never 0, so it never zeroes a value).
/// 4 instead of 8 vpshufb and 2 instead of 6 vpblendvb per byte pair.
struct SignedLookup32: BlockValues {
    let magnitude: Lookup32
    @inline(__always) func values(_ b: UnsafeRawPointer) -> (__m256i, __m256i) {
        let top = plane2Indices(b + 16)
        let (v0, v1) = magnitude.lookup(plane4Indices(b), _mm256_slli_epi16(top, 7))
        let sign = _mm256_sub_epi8(_mm256_set1_epi8(1), _mm256_and_si256(top, _mm256_set1_epi8(2)))
        let (s0, s1) = interleave(sign, sign)
        return (_mm256_sign_epi16(v0, s0), _mm256_sign_epi16(v1, s1))
    }
}

/// 8-bit integer codes in element order: the value is the code (vpmovzxbw).
struct Bytes8: BlockValues {
    @inline(__always) func values(_ b: UnsafeRawPointer) -> (__m256i, __m256i) {
        (_mm256_cvtepu8_epi16(b.loadUnaligned(as: __m128i.self)),
         _mm256_cvtepu8_epi16((b + 16).loadUnaligned(as: __m128i.self)))
    }
}

/// The pointers of one matvec (captured by the parallel body without reference counting).
struct MatvecJob: @unchecked Sendable {
    let codes: UnsafeRawPointer
    let pairStride: Int
    let blockBytes: Int
    let blocks: Int
    let blocksPerGroup: Int
    let groups: Int
    let x: UnsafePointer<Int16>
    let xScales: UnsafePointer<Float>
    let scales: UnsafePointer<Float>
    let zeroTerms: UnsafePointer<Float>?
    let groupSums: UnsafePointer<Float>?
    let y: UnsafeMutablePointer<Float>

    init(codes: UnsafeMutableRawPointer, pairStride: Int, blockBytes: Int, blocks: Int, blocksPerGroup: Int,
         groups: Int, x: UnsafePointer<Int16>, xScales: UnsafePointer<Float>, scales: UnsafeMutablePointer<Float>,
         zeroTerms: UnsafeMutablePointer<Float>?, groupSums: UnsafeMutablePointer<Float>?, y: UnsafeMutablePointer<Float>) {
        self.codes = UnsafeRawPointer(codes)
        self.pairStride = pairStride
        self.blockBytes = blockBytes
        self.blocks = blocks
        self.blocksPerGroup = blocksPerGroup
        self.groups = groups
        self.x = x
        self.xScales = xScales
        self.scales = UnsafePointer(scales)
        self.zeroTerms = zeroTerms.map { UnsafePointer($0) }
        self.groupSums = groupSums.map { UnsafePointer($0) }
        self.y = y
    }

    /// Rows of `range` (its lower bound is even: ranges are multiples of the granule 8); an odd last row is
    /// computed with its zero padding partner.
    @inline(__always)
    func rows<V: BlockValues>(_ range: Range<Int>, _ v: V) {
        var r = range.lowerBound
        while r < range.upperBound {
            let (a, b) = rowPair(r, v)
            y[r] = a - zeroTerm(r)
            if r + 1 < range.upperBound { y[r + 1] = b - zeroTerm(r + 1) }
            r += 2
        }
    }

    @inline(__always)
    func zeroTerm(_ r: Int) -> Float { zeroPointTerm(zeroTerms, groupSums, row: r, groups: groups) }

    /// Rows r and r+1 (r even).
    @inline(__always)
    func rowPair<V: BlockValues>(_ r: Int, _ v: V) -> (Float, Float) {
        let pa = codes + (r >> 1) &* pairStride, pb = pa + blockBytes, step = 2 &* blockBytes
        let sa = scales + r &* groups, sb = sa + groups
        var totA = _mm256_setzero_ps(), totB = _mm256_setzero_ps()
        var blk = 0
        for g in 0..<groups {
            let end = min(blocks, blk &+ blocksPerGroup)
            var accA = _mm256_setzero_ps(), accB = _mm256_setzero_ps()
            // Wrapping arithmetic: the sizes were checked at init, and overflow checks cost a branch per block.
            var wa = pa + blk &* step, wb = pb + blk &* step
            var xp = UnsafeRawPointer(x + blk &* 32)
            while blk < end {
                let x0 = xp.loadUnaligned(as: __m256i.self), x1 = (xp + 32).loadUnaligned(as: __m256i.self)
                let xs = _mm256_set1_ps(xScales[blk])
                let (a0, a1) = v.values(wa)
                let da = _mm256_add_epi32(_mm256_madd_epi16(a0, x0), _mm256_madd_epi16(a1, x1))
                accA = _mm256_fmadd_ps(_mm256_cvtepi32_ps(da), xs, accA)
                let (b0, b1) = v.values(wb)
                let db = _mm256_add_epi32(_mm256_madd_epi16(b0, x0), _mm256_madd_epi16(b1, x1))
                accB = _mm256_fmadd_ps(_mm256_cvtepi32_ps(db), xs, accB)
                blk &+= 1
                wa += step
                wb += step
                xp += 64
            }
            totA = _mm256_fmadd_ps(accA, _mm256_set1_ps(sa[g]), totA)
            totB = _mm256_fmadd_ps(accB, _mm256_set1_ps(sb[g]), totB)
        }
        return (SIMD8<Float>(totA).sum(), SIMD8<Float>(totB).sum())
    }
}
#endif
