import LowBitCore

/// A GGML Q4_1 / Q8_0 matrix repacked once (at load) for the decode matvec: the same bytes (codes and fp16
/// scales), with 8 consecutive rows interleaved per block, so that one activation load serves 8 rows, the
/// 8 rows' integer sums of a block come out as the 8 lanes of one vector (no horizontal reduction per row),
/// and the 8 rows' fp16 scales widen with one vcvtph2ps and scale with one FMA (docs/cpu-kernels.md, v8).
///
/// Group g = rows 8g ..< 8g+8 (the last group is padded with zero rows), `blocks` = cols/32 records each:
///   Q4_1, 160 bytes: d[8] fp16, m[8] fp16, then 4 × 32 bytes; bytes 32 + 32j + 4i + k (j < 4, row i < 8,
///         k < 4) = code byte 4j+k of row i (low nibble: element 4j+k, high nibble: element 16+4j+k).
///   Q8_0, 272 bytes: d[8] fp16, then 16 × 16 bytes; bytes 16 + 16t + 2i + k (t < 16, i < 8, k < 2) =
///         code 2t+k of row i.
/// A 32-bit lane i of one 32-byte (Q4_1) or 16-byte (Q8_0, widened to 32) slice holds row i's weights for
/// the same 4 (2) activation elements, which are broadcast to all lanes.
// @unchecked Sendable: written once in init, read-only afterwards.
public final class GGMLInterleavedRows: @unchecked Sendable {
    public static let groupRows = 8
    public let kind: GGMLBlockKind
    public let rows: Int
    public let cols: Int
    public let blocks: Int
    public let groups: Int
    public let storage: UnsafeMutableRawPointer

    /// Bytes of one block record of a group (8 rows × one 32-column block).
    public static func recordBytes(_ kind: GGMLBlockKind) -> Int { groupRows * kind.blockBytes }

    public var groupBytes: Int { blocks * Self.recordBytes(kind) }

    /// Repacks `rows` rows of `cols` (a multiple of 32) from the GGML row-major layout at `weights`.
    public init(kind: GGMLBlockKind, weights: UnsafeRawPointer, rows: Int, cols: Int) {
        precondition(cols % GGMLBlockKind.blockSize == 0 && cols > 0, "GGML block rows must be a multiple of 32 long")
        self.kind = kind
        self.rows = rows
        self.cols = cols
        blocks = cols / GGMLBlockKind.blockSize
        groups = (rows + Self.groupRows - 1) / Self.groupRows
        let record = Self.recordBytes(kind), blocks = blocks, groups = groups
        let total = max(1, groups * blocks * record)
        storage = .allocate(byteCount: total, alignment: 64)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: total)
        let rowBytes = kind.rowBytes(cols: cols), blockBytes = kind.blockBytes
        let out = storage
        Parallel.forRanges(count: groups, granule: 1) { range in
            for g in range {
                for i in 0..<min(Self.groupRows, rows - g * Self.groupRows) {
                    let row = weights + (g * Self.groupRows + i) * rowBytes
                    for b in 0..<blocks {
                        let src = row + b * blockBytes
                        let dst = out + (g * blocks + b) * record
                        switch kind {
                        case .q4_1:
                            (dst + 2 * i).copyMemory(from: src, byteCount: 2)            // d
                            (dst + 16 + 2 * i).copyMemory(from: src + 2, byteCount: 2)   // m
                            for j in 0..<4 {
                                (dst + 32 + 32 * j + 4 * i).copyMemory(from: src + 4 + 4 * j, byteCount: 4)
                            }
                        case .q8_0:
                            (dst + 2 * i).copyMemory(from: src, byteCount: 2)            // d
                            for t in 0..<16 {
                                (dst + 16 + 16 * t + 2 * i).copyMemory(from: src + 2 + 2 * t, byteCount: 2)
                            }
                        }
                    }
                }
            }
        }
    }

    deinit { storage.deallocate() }

    /// Bytes read by one decode matvec (padding rows included).
    public var byteCount: Int { groups * groupBytes }

    /// Group `g`'s records.
    @inline(__always)
    public func group(_ g: Int) -> UnsafeRawPointer { UnsafeRawPointer(storage + g * groupBytes) }
}
