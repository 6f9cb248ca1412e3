/// CRC-32 as used by ZIP and gzip (reflected polynomial 0xEDB88320), slicing-by-8: eight bytes per step
/// through eight 256-entry tables.
public enum CRC32 {
    public static func checksum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress else { return initial }
        var crc = ~initial
        tables.withUnsafeBufferPointer { tableBuffer in
            let t = tableBuffer.baseAddress!
            var p = base
            var remaining = bytes.count
            while remaining >= 8 {
                let word = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) ^ UInt64(crc)
                crc = t[7 &* 256 &+ Int(word & 0xFF)] ^ t[6 &* 256 &+ Int((word &>> 8) & 0xFF)]
                    ^ t[5 &* 256 &+ Int((word &>> 16) & 0xFF)] ^ t[4 &* 256 &+ Int((word &>> 24) & 0xFF)]
                    ^ t[3 &* 256 &+ Int((word &>> 32) & 0xFF)] ^ t[2 &* 256 &+ Int((word &>> 40) & 0xFF)]
                    ^ t[256 &+ Int((word &>> 48) & 0xFF)] ^ t[Int(word &>> 56)]
                p += 8
                remaining &-= 8
            }
            while remaining > 0 {
                crc = t[Int((crc ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (crc &>> 8)
                p += 1
                remaining &-= 1
            }
        }
        return ~crc
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// tables[k * 256 + b] = CRC of byte b followed by k zero bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 {
            var c = UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[b] = c
        }
        for k in 1..<8 {
            for b in 0..<256 {
                let previous = t[(k - 1) * 256 + b]
                t[k * 256 + b] = t[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return t
    }()
}
