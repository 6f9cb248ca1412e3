import Foundation
import LowBitCore
import LowBitFormats
import LowBitIO
import Testing

/// Small GGUF files built byte by byte: every metadata type, and each way a header can be wrong.
@Suite final class GGUFSyntheticTests {
    let dir: String

    init() throws { dir = try IOTestFiles.temporaryDirectory("gguf") }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func open(_ bytes: [UInt8]) throws -> GGUFFile {
        try GGUFFile(path: IOTestFiles.write(bytes, name: "t.gguf", in: dir))
    }

    /// Opening must fail with an invalidFile/unsupported LowBitError whose message names the file and contains `fragment`.
    func expectFailure(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try open(bytes)
            Issue.record("expected an error containing \"\(fragment)\"", sourceLocation: sourceLocation)
        } catch let error as LowBitError {
            #expect(error.message.contains(dir + "/t.gguf"), "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("not a LowBitError: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func readsEveryValueType() throws {
        let file = try open(GGUFBuilder.valid())
        #expect(file.version == 3)
        #expect(file.metadataKeys.count == 15)
        #expect(file.metadataKeys[0] == "general.architecture")
        #expect(file.architecture == "llama")
        #expect(file.value("k.u8") == .uint8(200))
        #expect(file.value("k.i8") == .int8(-2))
        #expect(file.value("k.u16") == .uint16(0x1234))
        #expect(file.value("k.i16") == .int16(-1))
        #expect(file.u32("llama.block_count") == 2)
        #expect(file.int(file.archKey("block_count")) == 2)
        #expect(file.value("k.i32") == .int32(-7))
        #expect(file.value("k.f32") == .float32(1.5))
        #expect(file.value("k.bool") == .bool(true))
        #expect(file.int("k.u64") == 1 << 40)
        #expect(file.int("k.i64") == -3)
        #expect(file.float("k.f64") == 0.25)
        #expect(file.value("k.strings")?.stringArray == ["a", "é", ""])
        #expect(file.value("k.nested") == .array([.array([.uint32(1), .uint32(2)]), .array([.float32(-0.5)])]))
        #expect(file.value("k.empty")?.intArray == [])
        #expect(throws: LowBitError.self) { try file.requireInt("k.f32x") }
        #expect(throws: LowBitError.self) { try file.requireInt("general.architecture") }

        #expect(file.tensors.map(\.name) == ["a.weight", "b.weight"])
        let a = try #require(file.tensor(named: "a.weight"))
        #expect(a.shape == [2, 4] && a.byteCount == 32 && a.offset % 32 == 0)
        #expect(try file.dequantize(a) == (0..<8).map { Float($0) - 3.5 })
        let b = try #require(file.tensor(named: "b.weight"))
        #expect(b.type == .q8_0 && b.byteCount == 34)
        #expect(try file.dequantize(b) == (0..<32).map { Float($0 - 16) })
    }

    /// Version 2 has the same layout as 3 (64-bit counts); only the version number differs.
    @Test func readsVersion2() throws {
        var bytes = GGUFBuilder.valid()
        bytes[4] = 2
        let file = try open(bytes)
        #expect(file.version == 2 && file.tensors.count == 2 && file.metadata.count == 15)
    }

    @Test func honorsGeneralAlignment() throws {
        let file = try open(GGUFBuilder.valid(alignment: 64))
        #expect(file.alignment == 64)
        #expect(file.dataOffset % 64 == 0)
        #expect(try file.dequantize(file.tensors[1]) == (0..<32).map { Float($0 - 16) })
        var bad = GGUFBuilder()
        bad.header(tensors: 0, kvs: 1)
        bad.kvU32("general.alignment", 48)
        expectFailure(bad.bytes, "power of two")
    }

    @Test func rejectsBadHeaders() {
        expectFailure([], "truncated")
        expectFailure(Array("GGU".utf8), "truncated")
        expectFailure(Array("GGML\u{3}\0\0\0".utf8), "not a GGUF file")
        var v1 = GGUFBuilder(); v1.header(version: 1, tensors: 0, kvs: 0)
        expectFailure(v1.bytes, "version 1")
        var v9 = GGUFBuilder(); v9.header(version: 9, tensors: 0, kvs: 0)
        expectFailure(v9.bytes, "unknown GGUF version 9")
        var big = GGUFBuilder(); big.header(version: UInt32(3).byteSwapped, tensors: 0, kvs: 0)
        expectFailure(big.bytes, "big-endian")
        var manyTensors = GGUFBuilder(); manyTensors.header(tensors: UInt64.max, kvs: 0)
        expectFailure(manyTensors.bytes, "tensor count")
        var manyKVs = GGUFBuilder(); manyKVs.header(tensors: 0, kvs: 1 << 40)
        expectFailure(manyKVs.bytes, "key-value count")
    }

    @Test func rejectsBadMetadata() {
        func withKV(_ body: (inout GGUFBuilder) -> Void) -> [UInt8] {
            var b = GGUFBuilder()
            b.header(tensors: 0, kvs: 1)
            body(&b)
            return b.bytes
        }
        expectFailure(withKV { $0.string("k"); $0.u32(13); $0.u32(0) }, "unknown value type id 13")
        expectFailure(withKV { $0.string("k"); $0.u32(7); $0.u8(2) }, "bool")
        expectFailure(withKV { $0.string([0x6B, 0xFF]); $0.u32(0); $0.u8(0) }, "not valid UTF-8")
        expectFailure(withKV { $0.string("k"); $0.u32(8); $0.string([0xC3]) }, "not valid UTF-8")
        expectFailure(withKV { $0.string("k"); $0.u32(8); $0.u64(UInt64.max) }, "claims")
        expectFailure(withKV { $0.u64(70_000); $0.bytes += [UInt8](repeating: 0x61, count: 70_000); $0.u32(0); $0.u8(0) }, "over the limit")
        expectFailure(withKV { $0.string("k"); $0.u32(9); $0.u32(4); $0.u64(1 << 62) }, "length of array")
        expectFailure(withKV { $0.string("k"); $0.u32(9); $0.u32(99); $0.u64(1) }, "unknown element type id 99")
        expectFailure(withKV { $0.string("k"); $0.u32(9); $0.u32(4); $0.u64(3); $0.u32(1) }, "can hold at most 1")
        expectFailure(withKV { $0.string("k"); $0.u32(9); $0.u32(8); $0.u64(1); $0.u64(5); $0.u32(0) }, "truncated or corrupt")
        // Arrays nested deeper than the limit.
        expectFailure(withKV { b in
            b.string("k"); b.u32(9)
            for _ in 0..<6 { b.u32(9); b.u64(1) }
            b.u32(0); b.u64(0)
        }, "deeper")
        var dup = GGUFBuilder()
        dup.header(tensors: 0, kvs: 2)
        dup.kvU32("k", 1)
        dup.kvU32("k", 2)
        expectFailure(dup.bytes, "appears twice")
    }

    @Test func rejectsBadTensors() {
        func withTensors(_ count: UInt64, dataBytes: Int = 64, _ body: (inout GGUFBuilder) -> Void) -> [UInt8] {
            var b = GGUFBuilder()
            b.header(tensors: count, kvs: 0)
            body(&b)
            b.pad(to: 32)
            b.bytes += [UInt8](repeating: 0, count: dataBytes)
            return b.bytes
        }
        expectFailure(withTensors(1) { $0.tensorInfo("t", dims: [4], type: 77, offset: 0) }, "unknown GGML type id 77")
        expectFailure(withTensors(1) { $0.tensorInfo("t", dims: [4], type: 4, offset: 0) }, "unknown GGML type id 4")
        expectFailure(withTensors(1) { $0.tensorInfo("t", dims: [4, 1, 1, 1, 1], type: 0, offset: 0) }, "5 dimensions")
        expectFailure(withTensors(1) { $0.tensorInfo("t", dims: [1 << 40, 1 << 40], type: 0, offset: 0) }, "more elements")
        expectFailure(withTensors(1) { $0.tensorInfo("t", dims: [17], type: 0, offset: 0) }, "needs bytes")
        expectFailure(withTensors(1) { $0.tensorInfo("t", dims: [33], type: 8, offset: 0) }, "not a multiple of its block size 32")
        expectFailure(withTensors(1) { $0.tensorInfo("t", dims: [4], type: 0, offset: 16) }, "not a multiple of the alignment")
        expectFailure(withTensors(1) { $0.tensorInfo("t", dims: [4], type: 0, offset: 1 << 50) }, "beyond the end")
        expectFailure(withTensors(1) { $0.tensorInfo("", dims: [4], type: 0, offset: 0) }, "empty name")
        expectFailure(withTensors(2) {
            $0.tensorInfo("t", dims: [16], type: 0, offset: 0)
            $0.tensorInfo("u", dims: [4], type: 0, offset: 32)
        }, "overlap")
        expectFailure(withTensors(2) {
            $0.tensorInfo("t", dims: [4], type: 0, offset: 0)
            $0.tensorInfo("t", dims: [4], type: 0, offset: 32)
        }, "appears twice")
        expectFailure(withTensors(1, dataBytes: 0) { $0.tensorInfo("t", dims: [4], type: 0, offset: 0) }, "truncated?")
    }

    @Test func undecodableTypeOpensButRefusesToDequantize() throws {
        var b = GGUFBuilder()
        b.header(tensors: 1, kvs: 0)
        b.tensorInfo("t", dims: [256], type: GGMLType.iq2_xxs.rawValue, offset: 0)
        b.pad(to: 32)
        b.bytes += [UInt8](repeating: 0, count: 66)
        let file = try open(b.bytes)
        #expect(file.tensors[0].type == .iq2_xxs)
        #expect(throws: LowBitError.self) { try file.dequantize(file.tensors[0]) }
    }
}
