import LowBitCore

/// Fused dequantize-and-multiply for every weight-only LowBit format (TC-FPx, FLUTE lookup tables, uniform
/// integers), reading the packed codes directly: the generic kernels, and the float reference path. The model
/// runs `PackedCodeMatrix` (repacked codes, AVX2 table lookups, integer dot products) wherever it applies, and
/// these kernels otherwise (other architectures, 7-bit codes, 8-bit non-integer tables, group sizes that are not
/// multiples of 32).
///
/// Weights: `rows` rows of `cols` b-bit codes (b = 1…8), each row packed MSB-first into `rowBytes` bytes
/// (the checkpoint layout; code k of a row occupies stream bits [k·b, k·b + b)), fp16 scales per group of
/// `groupSize` columns and optional fp16 zero points:
///     ŵ[r, k] = s[r, g] · (v(c[r, k]) − z[r, g]),  g = k / groupSize,
/// where v is the format's decoding (`CodeDecoding`). Since Σ_k s·(v − z)·x = s·(Σ_k v·x − z·Σ_k x), the
/// kernels dot the decoded codes with x and fold the zero point in with one per-group sum of x per token.
///
/// Decoding 8 codes: b·8 bits = b bytes starting on a byte boundary (k is a multiple of 8), loaded as one
/// big-endian UInt64 (movbe) and split with a vector of shifts (vpsrlvd). Integers convert exactly with the
/// 2^23 magic-number trick; FPx is
/// decoded arithmetically (no table, see `fpxValues`); arbitrary tables use scalar loads from a 256-entry
/// Float table that lives in L1. The buffer must have 8 readable bytes after the last row.
///
/// One token (decoding): fused, 16 weights per step into two SIMD8 accumulators, scale applied per group.
/// Several tokens (prompts): each row is decoded once into a per-thread Float scratch row and dotted with
/// every token, so decoding is paid once per row.
public enum CodeDecoding: Sendable, Equatable {
    /// v(c) = c (uniform integers; a symmetric grid uses a constant zero point 2^(b−1)).
    case integer
    /// v(c) = eXmY value of c (sign | E exponent bits | M mantissa bits), computed with integer SIMD ops.
    case fpx(exponentBits: Int, mantissaBits: Int)
    /// v(c) = table[c].
    case lookup

    /// Whether `.fpx` can be decoded arithmetically in 31-bit integers (largest shifted significand).
    public static func fpxFitsIntegerDecode(exponentBits e: Int, mantissaBits m: Int) -> Bool {
        m + 1 + (1 << e) - 2 <= 23
    }
}

/// Pointers to one packed code matrix (owned elsewhere; see the model's quantized layers).
public struct CodeMatrixView: @unchecked Sendable {
    // @unchecked Sendable: read-only pointers whose owner outlives every kernel call.
    public var rows: Int
    public var cols: Int
    public var bits: Int
    /// Columns per scale; a multiple of 8, or ≥ cols (one scale per row).
    public var groupSize: Int
    public var codes: UnsafePointer<UInt8>
    public var rowBytes: Int
    /// [rows][groups] fp16.
    public var scales: UnsafePointer<Float16>
    /// [rows][groups] fp16 zero points, or nil (then `constantZero` is used for every group).
    public var zeros: UnsafePointer<Float16>?
    public var constantZero: Float
    /// 256 Float entries (only `.lookup` reads it in the hot loop).
    public var table: UnsafePointer<Float>
    public var decoding: CodeDecoding

    public init(rows: Int, cols: Int, bits: Int, groupSize: Int, codes: UnsafePointer<UInt8>, rowBytes: Int,
                scales: UnsafePointer<Float16>, zeros: UnsafePointer<Float16>?, constantZero: Float,
                table: UnsafePointer<Float>, decoding: CodeDecoding) {
        precondition((1...8).contains(bits) && groupSize > 0 && (groupSize % 8 == 0 || groupSize >= cols))
        precondition(rowBytes * 8 >= cols * bits)
        self.rows = rows
        self.cols = cols
        self.bits = bits
        self.groupSize = min(groupSize, max(cols, 1))
        self.codes = codes
        self.rowBytes = rowBytes
        self.scales = scales
        self.zeros = zeros
        self.constantZero = constantZero
        self.table = table
        self.decoding = decoding
    }

    public var groups: Int { (cols + groupSize - 1) / groupSize }
    public var hasZeroPoints: Bool { zeros != nil || constantZero != 0 }

    @inline(__always)
    func zero(_ index: Int) -> Float { zeros.map { Float($0[index]) } ?? constantZero }
}

// MARK: - Decoders (specialized generics so the hot loops carry no switch)

@usableFromInline
protocol CodeDecoder {
    func values8(_ codes: SIMD8<UInt32>) -> SIMD8<Float>
    func value(_ code: UInt32) -> Float
}

/// Small non-negative integers (< 2^23) to Float without a conversion instruction call: the bits
/// 0x4B000000 | c are the float 2^23 + c, so subtracting 2^23 gives c exactly (vpor + vsubps). Swift's
/// generic SIMD conversion initializers were not inlined in the hot loop (seen in the assembly), this is.
@inline(__always)
func smallIntegersToFloat(_ c: SIMD8<UInt32>) -> SIMD8<Float> {
    unsafeBitCast(c | SIMD8(repeating: 0x4B00_0000), to: SIMD8<Float>.self) - SIMD8(repeating: 8_388_608)
}

struct IntegerDecoder: CodeDecoder {
    @inline(__always) func values8(_ c: SIMD8<UInt32>) -> SIMD8<Float> { smallIntegersToFloat(c) }
    @inline(__always) func value(_ c: UInt32) -> Float { Float(c) }
}

/// eXmY without a table: with e the exponent field and m the mantissa field,
///   normal (e > 0):  (2^M + m) · 2^(e−1) · 2^(1−bias−M);  subnormal (e = 0): m · 2^(1−bias−M),
/// i.e. an integer significand shifted left by max(e, 1) − 1 (< 2^23, see `fpxFitsIntegerDecode`),
/// converted exactly to Float and scaled by one power of two (exact: no rounding anywhere); the sign bit is
/// then OR-ed into the Float's bits, so −0 stays −0.
struct FPxDecoder: CodeDecoder {
    let mantissaBits: UInt32
    let magnitudeMask: UInt32
    let mantissaMask: UInt32
    let signShift: UInt32
    let unit: Float

    init(exponentBits e: Int, mantissaBits m: Int) {
        mantissaBits = UInt32(m)
        magnitudeMask = (1 << UInt32(e + m)) - 1
        mantissaMask = (1 << UInt32(m)) - 1
        signShift = UInt32(e + m)
        let bias = (1 << (e - 1)) - 1
        unit = Float(sign: .plus, exponent: 1 - bias - m, significand: 1)
    }

    @inline(__always) func values8(_ c: SIMD8<UInt32>) -> SIMD8<Float> {
        let mag = c & SIMD8(repeating: magnitudeMask)
        let e = mag &>> SIMD8(repeating: mantissaBits)
        let m = mag & SIMD8(repeating: mantissaMask)
        let isNormal = (SIMD8<UInt32>(repeating: 0) &- e) &>> SIMD8(repeating: 31)  // 1 when e > 0
        let significand = m | (isNormal &<< SIMD8(repeating: mantissaBits))
        let magnitude = smallIntegersToFloat(significand &<< (e &- isNormal)) * unit
        let sign = (c &>> SIMD8(repeating: signShift)) &<< SIMD8(repeating: 31)
        return unsafeBitCast(unsafeBitCast(magnitude, to: SIMD8<UInt32>.self) | sign, to: SIMD8<Float>.self)
    }

    @inline(__always) func value(_ c: UInt32) -> Float {
        let mag = c & magnitudeMask
        let e = mag >> mantissaBits, m = mag & mantissaMask
        let isNormal: UInt32 = e > 0 ? 1 : 0
        let v = Float((m | (isNormal << mantissaBits)) << (e - isNormal)) * unit
        return (c >> signShift) & 1 == 1 ? -v : v
    }
}

struct LookupDecoder: CodeDecoder {
    let table: UnsafePointer<Float>
    @inline(__always) func values8(_ c: SIMD8<UInt32>) -> SIMD8<Float> {
        SIMD8<Float>(table[Int(c[0])], table[Int(c[1])], table[Int(c[2])], table[Int(c[3])],
                     table[Int(c[4])], table[Int(c[5])], table[Int(c[6])], table[Int(c[7])])
    }
    @inline(__always) func value(_ c: UInt32) -> Float { table[Int(c)] }
}

/// ≤ 4-bit lookup as a tree of 15 vector selects (vpslld + vblendvps per level) over the first 16 table
/// entries broadcast into vectors: no scalar loads, unlike `LookupDecoder`. Only the generic fallback uses it
/// (x86-64 runs these formats through `PackedCodeMatrix`), so 1–3-bit codes take the same 4-level tree.
struct Select16Decoder: CodeDecoder {
    let table: UnsafePointer<Float>
    let t0: SIMD8<Float>
    let t1: SIMD8<Float>
    let t2: SIMD8<Float>
    let t3: SIMD8<Float>
    let t4: SIMD8<Float>
    let t5: SIMD8<Float>
    let t6: SIMD8<Float>
    let t7: SIMD8<Float>
    let t8: SIMD8<Float>
    let t9: SIMD8<Float>
    let t10: SIMD8<Float>
    let t11: SIMD8<Float>
    let t12: SIMD8<Float>
    let t13: SIMD8<Float>
    let t14: SIMD8<Float>
    let t15: SIMD8<Float>
    init(table: UnsafePointer<Float>) {
        self.table = table
        t0 = SIMD8(repeating: table[0])
        t1 = SIMD8(repeating: table[1])
        t2 = SIMD8(repeating: table[2])
        t3 = SIMD8(repeating: table[3])
        t4 = SIMD8(repeating: table[4])
        t5 = SIMD8(repeating: table[5])
        t6 = SIMD8(repeating: table[6])
        t7 = SIMD8(repeating: table[7])
        t8 = SIMD8(repeating: table[8])
        t9 = SIMD8(repeating: table[9])
        t10 = SIMD8(repeating: table[10])
        t11 = SIMD8(repeating: table[11])
        t12 = SIMD8(repeating: table[12])
        t13 = SIMD8(repeating: table[13])
        t14 = SIMD8(repeating: table[14])
        t15 = SIMD8(repeating: table[15])
    }
    @inline(__always) func values8(_ c: SIMD8<UInt32>) -> SIMD8<Float> {
        let codes = unsafeBitCast(c, to: SIMD8<Int32>.self)
        let m0 = (codes &<< SIMD8(repeating: 31)) .< SIMD8<Int32>(repeating: 0)
        let l0_0 = t0.replacing(with: t1, where: m0)
        let l0_1 = t2.replacing(with: t3, where: m0)
        let l0_2 = t4.replacing(with: t5, where: m0)
        let l0_3 = t6.replacing(with: t7, where: m0)
        let l0_4 = t8.replacing(with: t9, where: m0)
        let l0_5 = t10.replacing(with: t11, where: m0)
        let l0_6 = t12.replacing(with: t13, where: m0)
        let l0_7 = t14.replacing(with: t15, where: m0)
        let m1 = (codes &<< SIMD8(repeating: 30)) .< SIMD8<Int32>(repeating: 0)
        let l1_0 = l0_0.replacing(with: l0_1, where: m1)
        let l1_1 = l0_2.replacing(with: l0_3, where: m1)
        let l1_2 = l0_4.replacing(with: l0_5, where: m1)
        let l1_3 = l0_6.replacing(with: l0_7, where: m1)
        let m2 = (codes &<< SIMD8(repeating: 29)) .< SIMD8<Int32>(repeating: 0)
        let l2_0 = l1_0.replacing(with: l1_1, where: m2)
        let l2_1 = l1_2.replacing(with: l1_3, where: m2)
        let m3 = (codes &<< SIMD8(repeating: 28)) .< SIMD8<Int32>(repeating: 0)
        let l3_0 = l2_0.replacing(with: l2_1, where: m3)
        return l3_0
    }
    @inline(__always) func value(_ c: UInt32) -> Float { table[Int(c)] }
}

// MARK: - Unpacking

/// Splits 8 codes (8·b bits starting on a byte) out of one big-endian 64-bit load with 32-bit lanes: lanes
/// 0–3 read the first 32 stream bits, lanes 4–7 the 32 bits from stream bit 4b; each lane shifts its code to
/// the bottom (vpsrlvd) and masks.
@usableFromInline
struct CodeUnpacker {
    let shifts: SIMD8<UInt32>
    let mask: SIMD8<UInt32>
    let bits: Int
    let secondHalfShift: UInt64
    let scalarMask: UInt32

    init(bits: Int) {
        var s = SIMD8<UInt32>()
        for i in 0..<8 { s[i] = UInt32(32 - bits * (i % 4 + 1)) }
        shifts = s
        mask = SIMD8(repeating: (1 << UInt32(bits)) - 1)
        self.bits = bits
        secondHalfShift = UInt64(4 * bits)
        scalarMask = (1 << UInt32(bits)) - 1
    }

    /// Codes k…k+7 of a row (k a multiple of 8, so they start on a byte boundary).
    @inline(__always) func codes8(_ row: UnsafePointer<UInt8>, _ k: Int) -> SIMD8<UInt32> {
        let word = UInt64(bigEndian: UnsafeRawPointer(row + ((k &* bits) &>> 3)).loadUnaligned(as: UInt64.self))
        let first = UInt32(truncatingIfNeeded: word &>> 32)
        let second = UInt32(truncatingIfNeeded: (word &<< secondHalfShift) &>> 32)
        let lanes = SIMD8<UInt32>(lowHalf: SIMD4(repeating: first), highHalf: SIMD4(repeating: second))
        return (lanes &>> shifts) & mask
    }

    /// Code k of a row (any k): two bytes around its first bit, big-endian.
    @inline(__always) func code(_ row: UnsafePointer<UInt8>, _ k: Int) -> UInt32 {
        let bit = k &* bits
        let p = row + (bit &>> 3)
        let window = UInt32(p[0]) << 8 | UInt32(p[1])
        return (window >> UInt32(16 - bits - (bit & 7))) & scalarMask
    }
}

// MARK: - Kernels

public enum CodeMatmul {
    static let rowGranule = 8
    /// LOWBIT_SCALAR_LUT=1 forces the scalar-load table decoder for ≤ 4-bit tables (for A/B timing).
    static let scalarLookup = getEnvironment("LOWBIT_SCALAR_LUT") == "1"

    /// y [tokens, rows] = x [tokens, cols] · Ŵᵀ.
    public static func matmul(_ w: CodeMatrixView, x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>) {
        switch w.decoding {
        case .integer:
            run(w, IntegerDecoder(), x: x, tokens: tokens, y: y)
        case .fpx(let e, let m) where CodeDecoding.fpxFitsIntegerDecode(exponentBits: e, mantissaBits: m):
            run(w, FPxDecoder(exponentBits: e, mantissaBits: m), x: x, tokens: tokens, y: y)
        case .fpx, .lookup:
            if !scalarLookup && w.bits <= 4 {
                run(w, Select16Decoder(table: w.table), x: x, tokens: tokens, y: y)
            } else {
                run(w, LookupDecoder(table: w.table), x: x, tokens: tokens, y: y)
            }
        }
    }

    /// Row `row` of Ŵ as Float (embedding lookups, dequantization).
    public static func dequantizeRow(_ w: CodeMatrixView, row: Int, into out: UnsafeMutablePointer<Float>) {
        // Through the table, not the arithmetic FPx path, so that −0 codes stay −0 (exact dequantization).
        decodeRow(w, LookupDecoder(table: w.table), CodeUnpacker(bits: w.bits), row, out)
    }

    @inline(__always)
    static func run<D: CodeDecoder>(_ w: CodeMatrixView, _ d: D, x: UnsafePointer<Float>, tokens: Int,
                                    y: UnsafeMutablePointer<Float>) {
        let unpack = CodeUnpacker(bits: w.bits)
        let rows = w.rows, cols = w.cols, groups = w.groups, gs = w.groupSize
        if tokens == 1 {
            // Per-group sums of x for the zero-point term (shared by all rows).
            let xsum = UnsafeMutablePointer<Float>.allocate(capacity: groups)
            defer { xsum.deallocate() }
            for g in 0..<groups {
                var s: Float = 0
                for k in (g * gs)..<min(cols, (g + 1) * gs) { s += x[k] }
                xsum[g] = s
            }
            let hasZero = w.hasZeroPoints
            Parallel.forRanges(count: rows, granule: rowGranule, oversubscribe: 4) { range in
                for r in range {
                    let row = w.codes + r * w.rowBytes
                    var total: Float = 0
                    for g in 0..<groups {
                        let k0 = g * gs, k1 = min(cols, k0 + gs)
                        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
                        var k = k0
                        while k + 16 <= k1 {
                            a0.addProduct(d.values8(unpack.codes8(row, k)), load8(x + k))
                            a1.addProduct(d.values8(unpack.codes8(row, k + 8)), load8(x + k + 8))
                            k += 16
                        }
                        if k + 8 <= k1 {
                            a0.addProduct(d.values8(unpack.codes8(row, k)), load8(x + k))
                            k += 8
                        }
                        var s = (a0 + a1).sum()
                        while k < k1 {
                            s += d.value(unpack.code(row, k)) * x[k]
                            k += 1
                        }
                        let scale = Float(w.scales[r * groups + g])
                        if hasZero { s -= w.zero(r * groups + g) * xsum[g] }
                        total += scale * s
                    }
                    y[r] = total
                }
            }
            return
        }
        Parallel.forRanges(count: rows, granule: rowGranule, oversubscribe: 4) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(cols, 1))
            defer { scratch.deallocate() }
            for r in range {
                decodeRow(w, d, unpack, r, scratch)
                for t in 0..<tokens { y[t * rows + r] = dot(UnsafePointer(scratch), x + t * cols, cols) }
            }
        }
    }

    @inline(__always)
    static func decodeRow<D: CodeDecoder>(_ w: CodeMatrixView, _ d: D, _ unpack: CodeUnpacker, _ r: Int,
                                          _ out: UnsafeMutablePointer<Float>) {
        let row = w.codes + r * w.rowBytes, groups = w.groups, gs = w.groupSize, cols = w.cols
        for g in 0..<groups {
            let k0 = g * gs, k1 = min(cols, k0 + gs)
            let scale = Float(w.scales[r * groups + g]), z = w.zero(r * groups + g)
            let sv = SIMD8<Float>(repeating: scale), zv = SIMD8<Float>(repeating: z)
            var k = k0
            while k + 8 <= k1 {
                store8((d.values8(unpack.codes8(row, k)) - zv) * sv, out + k)
                k += 8
            }
            while k < k1 {
                out[k] = (d.value(unpack.code(row, k)) - z) * scale
                k += 1
            }
        }
    }
}
