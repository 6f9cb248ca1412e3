import LowBitCore

/// Ahead-of-time restructuring of FPx codes into the TC-FPx kernel's layout, and its exact inverse.
///
/// Input: one code per byte (low `width` bits), row-major [OC, IC]. Output: `TCFPxGeometry.packedByteCount` bytes,
/// units of 16×128 values; in each unit every lane's 64 values (the A fragments of 8 mma k-steps) are split
/// MSB-first into 1-, 2- and 4-bit segments and stored so the kernel reads them with 16-byte loads and rebuilds
/// one register of 4 left-aligned codes with a shift and a mask per segment (docs/tcfpx.md has the picture).
/// Padding rows/columns hold code 0 (+0). Units are independent, so packing runs on all cores.
public enum TCFPxPacker {
    /// Gather table: for lane ℓ, group G, byte b (index (ℓ·16 + G)·4 + b), the row·128 + column inside the unit.
    static let gather: [Int32] = {
        var table = [Int32](repeating: 0, count: 32 * 16 * 4)
        for lane in 0..<32 {
            for group in 0..<16 {
                for byte in 0..<4 {
                    let (r, c) = TCFPxGeometry.source(lane: lane, group: group, byte: byte)
                    table[(lane * 16 + group) * 4 + byte] = Int32(r * 128 + c)
                }
            }
        }
        return table
    }()

    /// Packs `codes` (OC·IC bytes). Throws if the count does not match the geometry or a code has bits above the
    /// format's width.
    public static func pack(codes: UnsafeBufferPointer<UInt8>, geometry: TCFPxGeometry) throws -> [UInt8] {
        let oc = geometry.outFeatures, ic = geometry.inFeatures
        guard codes.count == oc * ic else {
            throw LowBitError.shapeMismatch("TC-FPx pack: \(codes.count) codes for a \(oc)×\(ic) weight")
        }
        let width = geometry.format.width
        let limit = UInt8(truncatingIfNeeded: (1 << width) - 1)
        // Reject stray high bits once up front (cheap, vectorizes) so the packer never silently drops them.
        var stray: UInt8 = 0
        for c in codes { stray |= c & ~limit }
        if stray != 0 {
            throw LowBitError.invalidArgument("codes", "TC-FPx pack: codes wider than \(width) bits for \(geometry.format)")
        }
        var out = [UInt8](repeating: 0, count: geometry.packedByteCount)
        let kTiles = geometry.columnTiles, mTiles = geometry.rowTiles
        gather.withUnsafeBufferPointer { table in
            out.withUnsafeMutableBytes { dst in
                let base = dst.baseAddress!
                let src = codes.baseAddress!
                Parallel.forRanges(count: mTiles, oversubscribe: 4) { tiles in
                    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16 * 128) { tile in
                        for mt in tiles {
                            for kt in 0..<kTiles {
                                loadTile(src: src, oc: oc, ic: ic, mt: mt, kt: kt, into: tile.baseAddress!)
                                packUnit(tile: tile.baseAddress!, table: table.baseAddress!, width: width,
                                         geometry: geometry,
                                         into: base + geometry.unitOffset(rowTile: mt, columnTile: kt))
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Convenience overload for arrays.
    public static func pack(codes: [UInt8], geometry: TCFPxGeometry) throws -> [UInt8] {
        try codes.withUnsafeBufferPointer { try pack(codes: $0, geometry: geometry) }
    }

    /// The exact inverse of `pack`: codes [OC, IC], one per byte.
    public static func unpack(packed: UnsafeBufferPointer<UInt8>, geometry: TCFPxGeometry) throws -> [UInt8] {
        guard packed.count == geometry.packedByteCount else {
            throw LowBitError.shapeMismatch(
                "TC-FPx unpack: \(packed.count) bytes, expected \(geometry.packedByteCount) for \(geometry.outFeatures)×\(geometry.inFeatures) \(geometry.format)")
        }
        let oc = geometry.outFeatures, ic = geometry.inFeatures
        var out = [UInt8](repeating: 0, count: oc * ic)
        let kTiles = geometry.columnTiles, mTiles = geometry.rowTiles
        let segments = geometry.segments
        gather.withUnsafeBufferPointer { table in
            out.withUnsafeMutableBufferPointer { dst in
                let dstBase = dst.baseAddress!
                let src = UnsafeRawPointer(packed.baseAddress!)
                Parallel.forRanges(count: mTiles, oversubscribe: 4) { tiles in
                    for mt in tiles {
                        for kt in 0..<kTiles {
                            let unit = src + geometry.unitOffset(rowTile: mt, columnTile: kt)
                            for lane in 0..<32 {
                                for group in 0..<16 {
                                    for byte in 0..<4 {
                                        let code = readCode(unit: unit, lane: lane, group: group, byte: byte,
                                                            segments: segments)
                                        let rc = Int(table[(lane * 16 + group) * 4 + byte])
                                        let row = mt * 16 + (rc >> 7), col = kt * 128 + (rc & 127)
                                        if row < oc && col < ic { dstBase[row * ic + col] = code }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    public static func unpack(packed: [UInt8], geometry: TCFPxGeometry) throws -> [UInt8] {
        try packed.withUnsafeBufferPointer { try unpack(packed: $0, geometry: geometry) }
    }

    // MARK: - Bit positions

    @inline(__always)
    static func readWord(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Reassembles one code from its segments.
    @inline(__always)
    static func readCode(unit: UnsafeRawPointer, lane: Int, group: Int, byte: Int,
                         segments: [TCFPxGeometry.Segment]) -> UInt8 {
        var code: UInt32 = 0
        for segment in segments {
            let (o, s) = TCFPxGeometry.wordLocation(segment, lane: lane, group: group, byte: byte)
            let field = (readWord(unit, o) >> UInt32(s)) & ((1 << UInt32(segment.bits)) - 1)
            code |= field << UInt32(segment.codeShift)
        }
        return UInt8(truncatingIfNeeded: code)
    }

    // MARK: - Packing one unit

    /// Copies the 16×128 tile (mt, kt) of the codes into `tile`, zeros past the edges.
    @inline(__always)
    static func loadTile(src: UnsafePointer<UInt8>, oc: Int, ic: Int, mt: Int, kt: Int,
                         into tile: UnsafeMutablePointer<UInt8>) {
        let row0 = mt * 16, col0 = kt * 128
        let cols = min(128, ic - col0)
        for r in 0..<16 {
            let dst = tile + r * 128
            let row = row0 + r
            if row < oc {
                (dst).update(from: src + row * ic + col0, count: cols)
                if cols < 128 { (dst + cols).update(repeating: 0, count: 128 - cols) }
            } else {
                dst.update(repeating: 0, count: 128)
            }
        }
    }

    /// Builds every segment word of every lane of one unit and stores each once. The segment words of a lane
    /// (at most 8 + 4 + 2 + 2) are accumulated in a small scratch array indexed by (segment, word).
    @inline(__always)
    static func packUnit(tile: UnsafePointer<UInt8>, table: UnsafePointer<Int32>, width: Int,
                         geometry: TCFPxGeometry, into unit: UnsafeMutableRawPointer) {
        let segments = geometry.segments
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 32) { words in
            for lane in 0..<32 {
                for (si, segment) in segments.enumerated() {
                    let wordsPerLane = 32 / (8 / segment.bits) / 2  // 4-bit: 8, 2-bit: 4, 1-bit: 2
                    let base = words.baseAddress! + si * 8
                    base.update(repeating: 0, count: 8)
                    let mask = UInt32((1 << segment.bits) - 1)
                    let perWord = 8 / segment.bits       // groups per word
                    for group in 0..<16 {
                        let entry = table + (lane * 16 + group) * 4
                        let slot = group % perWord
                        var f: UInt32 = 0
                        for byte in 0..<4 {
                            let c = (UInt32(tile[Int(entry[byte])]) >> UInt32(segment.codeShift)) & mask
                            f |= c << UInt32(8 * byte + 8 - segment.bits * (slot + 1))
                        }
                        base[group / perWord] |= f
                    }
                    for i in 0..<wordsPerLane {
                        let (o, _) = TCFPxGeometry.wordLocation(segment, lane: lane, group: i * perWord, byte: 0)
                        unit.storeBytes(of: base[i].littleEndian, toByteOffset: o, as: UInt32.self)
                    }
                }
            }
        }
    }
}
