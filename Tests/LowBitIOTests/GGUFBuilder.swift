import Foundation

/// Builds GGUF bytes field by field for tests, including deliberately wrong ones.
struct GGUFBuilder {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func string(_ s: String) { string(Array(s.utf8)) }
    mutating func string(_ raw: [UInt8]) {
        u64(UInt64(raw.count))
        bytes += raw
    }
    mutating func header(version: UInt32 = 3, tensors: UInt64, kvs: UInt64) {
        bytes += Array("GGUF".utf8)
        u32(version)
        u64(tensors)
        u64(kvs)
    }
    mutating func kvString(_ key: String, _ value: String) {
        string(key)
        u32(8)
        string(value)
    }
    mutating func kvU32(_ key: String, _ value: UInt32) {
        string(key)
        u32(4)
        u32(value)
    }
    mutating func tensorInfo(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) {
        string(name)
        u32(UInt32(dims.count))
        for d in dims { u64(d) }
        u32(type)
        u64(offset)
    }
    mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    /// A small valid file: metadata of every scalar type, a nested array, and two f32 / q8_0 tensors.
    static func valid(alignment: UInt32? = nil) -> [UInt8] {
        var b = GGUFBuilder()
        b.header(tensors: 2, kvs: alignment == nil ? 15 : 16)
        b.kvString("general.architecture", "llama")
        b.string("k.u8"); b.u32(0); b.u8(200)
        b.string("k.i8"); b.u32(1); b.u8(0xFE)
        b.string("k.u16"); b.u32(2); b.u8(0x34); b.u8(0x12)
        b.string("k.i16"); b.u32(3); b.u8(0xFF); b.u8(0xFF)
        b.kvU32("llama.block_count", 2)
        b.string("k.i32"); b.u32(5); b.u32(UInt32(bitPattern: -7))
        b.string("k.f32"); b.u32(6); b.f32(1.5)
        b.string("k.bool"); b.u32(7); b.u8(1)
        b.string("k.u64"); b.u32(10); b.u64(1 << 40)
        b.string("k.i64"); b.u32(11); b.u64(UInt64(bitPattern: -3))
        b.string("k.f64"); b.u32(12); b.u64((0.25 as Double).bitPattern)
        b.string("k.strings"); b.u32(9); b.u32(8); b.u64(3); b.string("a"); b.string("é"); b.string("")
        b.string("k.nested"); b.u32(9); b.u32(9); b.u64(2)
        b.u32(4); b.u64(2); b.u32(1); b.u32(2)
        b.u32(6); b.u64(1); b.f32(-0.5)
        b.string("k.empty"); b.u32(9); b.u32(4); b.u64(0)
        if let alignment { b.kvU32("general.alignment", alignment) }
        let align = Int(alignment ?? 32)
        b.tensorInfo("a.weight", dims: [4, 2], type: 0, offset: 0)
        b.tensorInfo("b.weight", dims: [32], type: 8, offset: UInt64(align))
        b.pad(to: align)
        for i in 0..<8 { b.f32(Float(i) - 3.5) }
        b.pad(to: align)
        b.u8(0x00); b.u8(0x3C)  // q8_0 d = 1.0
        for i in 0..<32 { b.u8(UInt8(bitPattern: Int8(i - 16))) }
        return b.bytes
    }
}

