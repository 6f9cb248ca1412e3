import LowBitCore

/// Linear layers straight from GGML's 32-element blocks, without expanding the weights to Float in memory
/// (a decode step is bound by the bytes of weight it reads: Q4_1 is 5 bits per weight, F32 would be 32).
///
/// Block layouts (llama.cpp ggml-common.h), each row of `cols` weights = cols/32 consecutive blocks:
///   Q4_1: fp16 d, fp16 m, 16 bytes; byte j holds element j (low nibble) and j+16 (high); x = d·q + m.
///   Q8_0: fp16 d, 32 × int8; x = d·q.
/// One token (decode): a fused dequantize-and-dot per block. Several tokens (prompt, perplexity): each
/// rows are dequantized 4 at a time into a per-thread scratch tile and multiplied with every token
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

public enum GGMLBlockMatmul {
    static let rowGranule = 16

    /// y[t, r] = Σ_c W[r, c] · x[t, c]; W is `rows` rows of GGML blocks; x [tokens, cols]; y [tokens, rows].
    public static func matmul(_ kind: GGMLBlockKind, weights: UnsafeRawPointer, rows: Int, cols: Int,
                              x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>) {
        precondition(cols % GGMLBlockKind.blockSize == 0, "GGML block rows must be a multiple of 32 long")
        let rowBytes = kind.rowBytes(cols: cols)
        if tokens == 1 {
            switch kind {
            case .q4_1:
                // Σ_j (d·q_j + m)·x_j = d·Σ q_j x_j + m·Σ x_j: the per-block sums of x are shared by all rows.
                let blocks = cols / 32
                let xsum = UnsafeMutablePointer<Float>.allocate(capacity: blocks)
                defer { xsum.deallocate() }
                for b in 0..<blocks {
                    var s: Float = 0
                    for j in 0..<32 { s += x[b * 32 + j] }
                    xsum[b] = s
                }
                Parallel.forRanges(count: rows, granule: rowGranule, oversubscribe: 4) { range in
                    var r = range.lowerBound
                    while r + 2 <= range.upperBound {
                        let (a, b) = dotQ4_1x2(weights + r * rowBytes, weights + (r + 1) * rowBytes, x, xsum, blocks)
                        y[r] = a
                        y[r + 1] = b
                        r += 2
                    }
                    if r < range.upperBound { y[r] = dotQ4_1(weights + r * rowBytes, x, xsum, blocks) }
                }
            case .q8_0:
                Parallel.forRanges(count: rows, granule: rowGranule, oversubscribe: 4) { range in
                    for r in range {
                        y[r] = dotQ8_0(weights + r * rowBytes, x, cols / 32)
                    }
                }
            }
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

    static func dotQ4_1(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ xsum: UnsafePointer<Float>,
                        _ blocks: Int) -> Float {
        var acc = SIMD8<Float>()
        var offset: Float = 0
        for b in 0..<blocks {
            let p = row + b * 20
            let (q0, q1, q2, q3) = nibbles(p + 4)
            let xb = x + b * 32
            var s = q0 * load8(xb)
            s.addProduct(q1, load8(xb + 8))
            s.addProduct(q2, load8(xb + 16))
            s.addProduct(q3, load8(xb + 24))
            acc.addProduct(SIMD8<Float>(repeating: halfAt(p)), s)
            offset += halfAt(p + 2) * xsum[b]
        }
        return acc.sum() + offset
    }

    /// Two rows at once: each activation vector is loaded once for both, and the two rows' FMA chains
    /// interleave.
    static func dotQ4_1x2(_ rowA: UnsafeRawPointer, _ rowB: UnsafeRawPointer, _ x: UnsafePointer<Float>,
                          _ xsum: UnsafePointer<Float>, _ blocks: Int) -> (Float, Float) {
        var accA = SIMD8<Float>(), accB = SIMD8<Float>()
        var offA: Float = 0, offB: Float = 0
        for b in 0..<blocks {
            let pa = rowA + b * 20, pb = rowB + b * 20
            let xb = x + b * 32
            let x0 = load8(xb), x1 = load8(xb + 8), x2 = load8(xb + 16), x3 = load8(xb + 24)
            let (a0, a1, a2, a3) = nibbles(pa + 4)
            var sa = a0 * x0
            sa.addProduct(a1, x1)
            sa.addProduct(a2, x2)
            sa.addProduct(a3, x3)
            let (b0, b1, b2, b3) = nibbles(pb + 4)
            var sb = b0 * x0
            sb.addProduct(b1, x1)
            sb.addProduct(b2, x2)
            sb.addProduct(b3, x3)
            accA.addProduct(SIMD8<Float>(repeating: halfAt(pa)), sa)
            accB.addProduct(SIMD8<Float>(repeating: halfAt(pb)), sb)
            let xs = xsum[b]
            offA += halfAt(pa + 2) * xs
            offB += halfAt(pb + 2) * xs
        }
        return (accA.sum() + offA, accB.sum() + offB)
    }

    static func dotQ8_0(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ blocks: Int) -> Float {
        var acc = SIMD8<Float>()
        for b in 0..<blocks {
            let p = row + b * 34
            let xb = x + b * 32
            var s = int8s(p + 2) * load8(xb)
            s.addProduct(int8s(p + 10), load8(xb + 8))
            s.addProduct(int8s(p + 18), load8(xb + 16))
            s.addProduct(int8s(p + 26), load8(xb + 24))
            acc.addProduct(SIMD8<Float>(repeating: halfAt(p)), s)
        }
        return acc.sum()
    }
}
