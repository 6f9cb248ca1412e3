import LowBitCore

/// Linear layers straight from GGML's 32-element blocks, without expanding the weights to Float in memory
/// (a decode step is bound by the bytes of weight it reads: Q4_1 is 5 bits per weight, F32 would be 32).
///
/// Block layouts (llama.cpp ggml-common.h), each row of `cols` weights = cols/32 consecutive blocks:
///   Q4_1: fp16 d, fp16 m, 16 bytes; byte j holds element j (low nibble) and j+16 (high); x = d·q + m.
///   Q8_0: fp16 d, 32 × int8; x = d·q.
/// One token (decode): the rows are repacked at load (`GGMLInterleavedRows`), the activations are quantized once
/// per matvec (`DecodeActivations`) and 8 rows at a time are integer dot products (`GGMLIntegerDot`; `matvec`).
/// Several tokens (prompt, perplexity; `matmul`): the Float activations are kept; rows are dequantized 4 at a
/// time into a per-thread scratch tile and multiplied with every token (MatmulTile), so the unpacking is paid
/// once per row instead of once per token.
public enum GGMLBlockKind: Sendable, Equatable {
    case q4_1
    case q8_0

    public var blockBytes: Int {
        switch self {
        case .q4_1: 20
        case .q8_0: 34
        }
    }

    public static let blockSize = 32

    /// Bytes of one row of `cols` weights (cols must be a multiple of 32).
    public func rowBytes(cols: Int) -> Int { cols / GGMLBlockKind.blockSize * blockBytes }
}

/// One matrix of a `GGMLBlockMatmul.matvecGroup` call: its decode layout and the output y[matrix.rows].
public struct GGMLMatvecPart {
    public var matrix: GGMLInterleavedRows
    public var y: UnsafeMutablePointer<Float>
    public init(_ matrix: GGMLInterleavedRows, y: UnsafeMutablePointer<Float>) {
        self.matrix = matrix; self.y = y
    }
}

public enum GGMLBlockMatmul {
    static let rowGranule = 16
    static let matvecChunkBytes = 256 << 10

    /// y[t, r] = Σ_c W[r, c] · x[t, c]; W is `rows` rows of GGML blocks; x [tokens, cols]; y [tokens, rows].
    public static func matmul(_ kind: GGMLBlockKind, weights: UnsafeRawPointer, rows: Int, cols: Int,
                              x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>) {
        precondition(cols % GGMLBlockKind.blockSize == 0, "GGML block rows must be a multiple of 32 long")
        let rowBytes = kind.rowBytes(cols: cols)
        Parallel.forRanges(count: rows, granule: rowGranule, oversubscribe: 4) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 4 * cols)
            defer { scratch.deallocate() }
            var r = range.lowerBound
            while r < range.upperBound {
                let nr = min(4, range.upperBound - r)
                for i in 0..<nr { dequantizeRow(kind, weights + (r + i) * rowBytes, cols: cols, into: scratch + i * cols) }
                MatmulTile.rows4(scratch, rowCount: nr, cols: cols, x: x, tokens: tokens, y: y + r, ldy: rows)
                r += nr
            }
        }
    }

    /// y[r] = Σ_c W[r, c] · x[c] with x already quantized (`DecodeActivations`, the same for all rows).
    public static func matvec(_ matrix: GGMLInterleavedRows, xq: borrowing DecodeActivations,
                              y: UnsafeMutablePointer<Float>) {
        matvecGroup([GGMLMatvecPart(matrix, y: y)], xq: xq)
    }

    /// Several matvecs that share one input vector (q/k/v, gate/up) in a single parallel dispatch: the row
    /// groups of all parts are split over the threads as one range, so the threads are woken once instead of
    /// per matrix. Every part must have `xq.blocks * 32` columns.
    public static func matvecGroup(_ parts: [GGMLMatvecPart], xq: borrowing DecodeActivations) {
        let codes = UnsafePointer(xq.codes), scales = UnsafePointer(xq.scales), sums = UnsafePointer(xq.sums)
        let codes8 = UnsafePointer(xq.codes8), scales8 = UnsafePointer(xq.scales8)
        let blocks = xq.blocks
        // Plain values for the parallel body (no class references, no retain/release inside).
        let flat = parts.map { part in
            precondition(part.matrix.blocks == blocks, "activation length does not match the rows")
            return FlatPart(kind: part.matrix.kind, base: UnsafeRawPointer(part.matrix.storage),
                            groupBytes: part.matrix.groupBytes, rows: part.matrix.rows, groups: part.matrix.groups,
                            y: part.y)
        }
        let total = flat.reduce(0) { $0 + $1.groups }
        // At least 8 chunks per dispatch, at most ~256 KB of weights each (claimed one at a time): with 8 chunks
        // the 30 MB output matrix left one thread alone for up to a 3.7 MB chunk; 32 KB chunks measured slower
        // (each chunk restarts the hardware prefetcher's stream; docs/cpu-kernels.md v14–v16).
        let groupBytes = max(1, flat.reduce(0) { max($0, $1.groupBytes) })
        let granule = max(1, min(total / 8, matvecChunkBytes / groupBytes))
        flat.withUnsafeBufferPointer { flat in
            Parallel.forRanges(count: total, granule: granule, oversubscribe: total) { range in
                // Intersect the global group range with each part's groups.
                var first = 0
                for part in flat {
                    let lo = max(range.lowerBound, first) - first, hi = min(range.upperBound, first + part.groups) - first
                    first += part.groups
                    if lo >= hi { continue }
                    // Groups lo+i and lo+half+i together: two address streams (the odd one out pairs with itself).
                    let half = (hi - lo + 1) / 2
                    for i in 0..<half {
                        let ga = lo + i, gb = lo + half + i < hi ? lo + half + i : ga
                        let pa = part.base + ga * part.groupBytes, pb = part.base + gb * part.groupBytes
                        let (va, vb) = part.kind == .q4_1
                            ? GGMLIntegerDot.q4_1Pair(pa, pb, blocks: blocks, codes8: codes8, scales8: scales8, sums: sums)
                            : GGMLIntegerDot.q8_0Pair(pa, pb, blocks: blocks, codes: codes, scales: scales)
                        part.store(va, group: ga)
                        if gb != ga { part.store(vb, group: gb) }
                    }
                }
            }
        }
    }

    struct FlatPart {
        var kind: GGMLBlockKind
        var base: UnsafeRawPointer
        var groupBytes: Int
        var rows: Int
        var groups: Int
        var y: UnsafeMutablePointer<Float>

        /// Rows 8g ..< 8g+8 of y (fewer in a padded last group).
        @inline(__always)
        func store(_ v: SIMD8<Float>, group g: Int) {
            let r = g * GGMLInterleavedRows.groupRows
            if r + 8 <= rows {
                UnsafeMutableRawPointer(y + r).storeBytes(of: v, as: SIMD8<Float>.self)
            } else {
                for i in 0..<(rows - r) { y[r + i] = v[i] }
            }
        }
    }

    /// Expands one row of blocks to Float (also the embedding lookup of a GGML token table).
    public static func dequantizeRow(_ kind: GGMLBlockKind, _ row: UnsafeRawPointer, cols: Int,
                                     into out: UnsafeMutablePointer<Float>) {
        let blocks = cols / 32
        switch kind {
        case .q4_1:
            for b in 0..<blocks {
                let p = row + b * 20
                let d = SIMD8<Float>(repeating: halfAt(p))
                let m = SIMD8<Float>(repeating: halfAt(p + 2))
                let (q0, q1, q2, q3) = nibbles(p + 4)
                let o = out + b * 32
                store8(q0 * d + m, o)
                store8(q1 * d + m, o + 8)
                store8(q2 * d + m, o + 16)
                store8(q3 * d + m, o + 24)
            }
        case .q8_0:
            for b in 0..<blocks {
                let p = row + b * 34
                let d = SIMD8<Float>(repeating: halfAt(p))
                let o = out + b * 32
                store8(int8s(p + 2) * d, o)
                store8(int8s(p + 10) * d, o + 8)
                store8(int8s(p + 18) * d, o + 16)
                store8(int8s(p + 26) * d, o + 24)
            }
        }
    }

    @inline(__always)
    static func halfAt(_ p: UnsafeRawPointer) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(as: UInt16.self)))
    }

    /// The 32 4-bit codes of a Q4_1 block as four SIMD8<Float> (elements 0-7, 8-15, 16-23, 24-31).
    @inline(__always)
    static func nibbles(_ p: UnsafeRawPointer) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let raw = p.loadUnaligned(as: SIMD16<UInt8>.self)
        let lo = raw & 0x0F
        let hi = raw &>> 4
        return (SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: lo.lowHalf)),
                SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: lo.highHalf)),
                SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: hi.lowHalf)),
                SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: hi.highHalf)))
    }

    @inline(__always)
    static func int8s(_ p: UnsafeRawPointer) -> SIMD8<Float> {
        SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: p.loadUnaligned(as: SIMD8<Int8>.self)))
    }
}
