import LowBitCore

/// Linear layers straight from GGML's 32-element blocks, without expanding the weights to Float in memory
/// (a decode step is bound by the bytes of weight it reads: Q4_1 is 5 bits per weight, F32 would be 32).
///
/// Block layouts (llama.cpp ggml-common.h), each row of `cols` weights = cols/32 consecutive blocks:
///   Q4_1: fp16 d, fp16 m, 16 bytes; byte j holds element j (low nibble) and j+16 (high); x = d·q + m.
///   Q8_0: fp16 d, 32 × int8; x = d·q.
/// One token (decode): the activations are quantized to int16 blocks once (`DecodeActivations`) and each row is
/// an integer dot product (`GGMLIntegerDot`). Several tokens (prompt, perplexity): the Float activations are
/// kept; rows are dequantized 4 at a time into a per-thread scratch tile and multiplied with every token
/// (MatmulTile), so the unpacking is paid once per row instead of once per token.
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

/// One matrix of a `GGMLBlockMatmul.matvecGroup` call: `rows` rows of `kind` blocks at `weights`, output y[rows].
public struct GGMLMatvecPart {
    public var kind: GGMLBlockKind
    public var weights: UnsafeRawPointer
    public var rows: Int
    public var y: UnsafeMutablePointer<Float>
    public init(kind: GGMLBlockKind, weights: UnsafeRawPointer, rows: Int, y: UnsafeMutablePointer<Float>) {
        self.kind = kind; self.weights = weights; self.rows = rows; self.y = y
    }
}

public enum GGMLBlockMatmul {
    static let rowGranule = 16

    /// y[t, r] = Σ_c W[r, c] · x[t, c]; W is `rows` rows of GGML blocks; x [tokens, cols]; y [tokens, rows].
    public static func matmul(_ kind: GGMLBlockKind, weights: UnsafeRawPointer, rows: Int, cols: Int,
                              x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>) {
        precondition(cols % GGMLBlockKind.blockSize == 0, "GGML block rows must be a multiple of 32 long")
        let rowBytes = kind.rowBytes(cols: cols)
        if tokens == 1 {
            // Decode: the activation vector is quantized to int16 once and every row is an integer dot.
            let xq = DecodeActivations(x, cols: cols)
            matvec(kind, weights: weights, rows: rows, rowBytes: rowBytes, xq: xq, y: y)
            return
        }
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
    public static func matvec(_ kind: GGMLBlockKind, weights: UnsafeRawPointer, rows: Int, rowBytes: Int,
                              xq: borrowing DecodeActivations, y: UnsafeMutablePointer<Float>) {
        precondition(rowBytes == kind.rowBytes(cols: xq.blocks * 32), "activation length does not match the rows")
        matvecGroup([GGMLMatvecPart(kind: kind, weights: weights, rows: rows, y: y)], xq: xq)
    }

    /// Several matvecs that share one input vector (q/k/v, gate/up) in a single parallel dispatch: the rows of
    /// all parts are split over the threads as one range, so the threads are woken once instead of per matrix.
    /// Every part must have `xq.blocks * 32` columns.
    public static func matvecGroup(_ parts: [GGMLMatvecPart], xq: borrowing DecodeActivations) {
        let codes = UnsafePointer(xq.codes), scales = UnsafePointer(xq.scales)
        let codes8 = UnsafePointer(xq.codes8), scaleSums8 = UnsafePointer(xq.scaleSums8)
        let blocks = xq.blocks
        let total = parts.reduce(0) { $0 + $1.rows }
        parts.withUnsafeBufferPointer { parts in
            Parallel.forRanges(count: total, granule: rowGranule, oversubscribe: 4) { range in
                // Intersect the global row range with each part's rows.
                var first = 0
                for part in parts {
                    let lo = max(range.lowerBound, first), hi = min(range.upperBound, first + part.rows)
                    if lo < hi {
                        matvecRows(part.kind, weights: part.weights, rowBytes: part.kind.rowBytes(cols: blocks * 32),
                                   codes: codes, scales: scales, codes8: codes8, scaleSums8: scaleSums8, blocks: blocks,
                                   range: (lo - first)..<(hi - first), y: part.y)
                    }
                    first += part.rows
                }
            }
        }
    }

    /// Rows `range` of a decode matvec on the calling thread (two rows per step, one for an odd tail).
    @inline(__always)
    static func matvecRows(_ kind: GGMLBlockKind, weights: UnsafeRawPointer, rowBytes: Int,
                           codes: UnsafePointer<Int16>, scales: UnsafePointer<Float>,
                           codes8: UnsafePointer<Int8>, scaleSums8: UnsafePointer<Float>, blocks: Int, range: Range<Int>,
                           y: UnsafeMutablePointer<Float>) {
        var r = range.lowerBound
        switch kind {
        case .q4_1:
            while r + 2 <= range.upperBound {
                (y[r], y[r + 1]) = GGMLIntegerDot.q4_1x2(weights + r * rowBytes, weights + (r + 1) * rowBytes,
                                                         codes8: codes8, scaleSums8: scaleSums8, blocks: blocks)
                r += 2
            }
            if r < range.upperBound {
                y[r] = GGMLIntegerDot.q4_1(weights + r * rowBytes, codes8: codes8, scaleSums8: scaleSums8, blocks: blocks)
            }
        case .q8_0:
            while r + 2 <= range.upperBound {
                (y[r], y[r + 1]) = GGMLIntegerDot.q8_0x2(weights + r * rowBytes, weights + (r + 1) * rowBytes,
                                                         codes: codes, scales: scales, blocks: blocks)
                r += 2
            }
            if r < range.upperBound {
                y[r] = GGMLIntegerDot.q8_0(weights + r * rowBytes, codes: codes, scales: scales, blocks: blocks)
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
