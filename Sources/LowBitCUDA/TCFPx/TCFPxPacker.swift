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
        let width = geometry.format.width
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
                                                            width: width, geometry: geometry)
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

    // MARK: - Bit positions (shared by pack, unpack and the tests)

    /// Byte offset inside a unit of the 32-bit word holding a segment field, and the field's shift in that word.
    /// Segment words of a lane: 4-bit W4[0..7] (two 512-byte chunks of lane-interleaved uint4), 2-bit W2[0..3]
    /// (one chunk of uint4), 1-bit W1[0..1] (uint2 per lane). Group G, byte b: W4[G/2] bits 8b + 4·(1 − G%2) …,
    /// W2[G/4] bits 8b + 6 − 2·(G%4) …, W1[G/8] bit 8b + 7 − G%8.
    @inline(__always)
    static func word4(lane: Int, group: Int, byte: Int) -> (offset: Int, shift: Int) {
        let i = group >> 1
        return ((i >> 2) * 512 + lane * 16 + (i & 3) * 4, 8 * byte + 4 * (1 - (group & 1)))
    }

    @inline(__always)
    static func word2(lane: Int, group: Int, byte: Int) -> (offset: Int, shift: Int) {
        (lane * 16 + (group >> 2) * 4, 8 * byte + 6 - 2 * (group & 3))
    }

    @inline(__always)
    static func word1(lane: Int, group: Int, byte: Int) -> (offset: Int, shift: Int) {
        (lane * 8 + (group >> 3) * 4, 8 * byte + 7 - (group & 7))
    }

    @inline(__always)
    static func readWord(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Reassembles one code from its segments (MSB first: 1-bit, 2-bit, 4-bit).
    @inline(__always)
    static func readCode(unit: UnsafeRawPointer, lane: Int, group: Int, byte: Int, width: Int,
                         geometry: TCFPxGeometry) -> UInt8 {
        var code: UInt32 = 0
        if let base = geometry.segment1Offset {
            let (o, s) = word1(lane: lane, group: group, byte: byte)
            code = (readWord(unit, base + o) >> UInt32(s)) & 1
        }
        if let base = geometry.segment2Offset {
            let (o, s) = word2(lane: lane, group: group, byte: byte)
            code = code << 2 | (readWord(unit, base + o) >> UInt32(s)) & 3
        }
        if let base = geometry.segment4Offset {
            let (o, s) = word4(lane: lane, group: group, byte: byte)
            code = code << 4 | (readWord(unit, base + o) >> UInt32(s)) & 15
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

    /// Builds every segment word of every lane of one unit in registers and stores them once.
    @inline(__always)
    static func packUnit(tile: UnsafePointer<UInt8>, table: UnsafePointer<Int32>, width: Int,
                         geometry: TCFPxGeometry, into unit: UnsafeMutableRawPointer) {
        let has1 = width & 1 != 0, has2 = width & 2 != 0, has4 = width & 4 != 0
        let shift2 = has4 ? 4 : 0               // bits below the 2-bit segment
        let shift1 = shift2 + (has2 ? 2 : 0)     // bits below the 1-bit segment
        let base4 = geometry.segment4Offset ?? 0, base2 = geometry.segment2Offset ?? 0
        let base1 = geometry.segment1Offset ?? 0
        for lane in 0..<32 {
            var w4 = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
            var w2 = (UInt32(0), UInt32(0), UInt32(0), UInt32(0))
            var w1 = (UInt32(0), UInt32(0))
            for group in 0..<16 {
                let entry = table + (lane * 16 + group) * 4
                var f4: UInt32 = 0, f2: UInt32 = 0, f1: UInt32 = 0
                for byte in 0..<4 {
                    let c = UInt32(tile[Int(entry[byte])])
                    f4 |= (c & 15) << UInt32(8 * byte + 4 * (1 - (group & 1)))
                    f2 |= ((c >> UInt32(shift2)) & 3) << UInt32(8 * byte + 6 - 2 * (group & 3))
                    f1 |= ((c >> UInt32(shift1)) & 1) << UInt32(8 * byte + 7 - (group & 7))
                }
                switch group >> 1 {
                case 0: w4.0 |= f4
                case 1: w4.1 |= f4
                case 2: w4.2 |= f4
                case 3: w4.3 |= f4
                case 4: w4.4 |= f4
                case 5: w4.5 |= f4
                case 6: w4.6 |= f4
                default: w4.7 |= f4
                }
                switch group >> 2 {
                case 0: w2.0 |= f2
                case 1: w2.1 |= f2
                case 2: w2.2 |= f2
                default: w2.3 |= f2
                }
                if group < 8 { w1.0 |= f1 } else { w1.1 |= f1 }
            }
            if has4 {
                let p = unit + base4 + lane * 16
                p.storeBytes(of: w4.0.littleEndian, toByteOffset: 0, as: UInt32.self)
                p.storeBytes(of: w4.1.littleEndian, toByteOffset: 4, as: UInt32.self)
                p.storeBytes(of: w4.2.littleEndian, toByteOffset: 8, as: UInt32.self)
                p.storeBytes(of: w4.3.littleEndian, toByteOffset: 12, as: UInt32.self)
                p.storeBytes(of: w4.4.littleEndian, toByteOffset: 512, as: UInt32.self)
                p.storeBytes(of: w4.5.littleEndian, toByteOffset: 516, as: UInt32.self)
                p.storeBytes(of: w4.6.littleEndian, toByteOffset: 520, as: UInt32.self)
                p.storeBytes(of: w4.7.littleEndian, toByteOffset: 524, as: UInt32.self)
            }
            if has2 {
                let p = unit + base2 + lane * 16
                p.storeBytes(of: w2.0.littleEndian, toByteOffset: 0, as: UInt32.self)
                p.storeBytes(of: w2.1.littleEndian, toByteOffset: 4, as: UInt32.self)
                p.storeBytes(of: w2.2.littleEndian, toByteOffset: 8, as: UInt32.self)
                p.storeBytes(of: w2.3.littleEndian, toByteOffset: 12, as: UInt32.self)
            }
            if has1 {
                let p = unit + base1 + lane * 8
                p.storeBytes(of: w1.0.littleEndian, toByteOffset: 0, as: UInt32.self)
                p.storeBytes(of: w1.1.littleEndian, toByteOffset: 4, as: UInt32.self)
            }
        }
    }
}
