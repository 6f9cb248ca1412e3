import Foundation
import LowBitCore
import LowBitIO
import Testing

/// safetensors: writer → reader round trips for every dtype, the exact bytes of a small file, header
/// validation (each lie gets its own error), atomic replacement, and sharded Hugging Face folders.
@Suite final class SafetensorsTests {
    let dir: String

    init() throws { dir = try IOTestFiles.temporaryDirectory("st") }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// A raw file: u64 length + header (as given, unpadded) + data.
    func rawFile(_ header: String, data: [UInt8] = [], name: String = "raw.safetensors") throws -> String {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
        bytes += Array(header.utf8) + data
        return try IOTestFiles.write(bytes, name: name, in: dir)
    }

    func expectFailure(_ path: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try SafetensorsFile(path: path)
            Issue.record("expected an error containing \"\(fragment)\"", sourceLocation: sourceLocation)
        } catch let error as LowBitError {
            #expect(error.message.hasPrefix(path + ":"), "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("not a LowBitError: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func roundTripsEveryDtype() throws {
        var entries: [SafetensorsEntry] = []
        var rng = SystemRandomNumberGenerator()
        for (i, dtype) in ElementType.allCases.enumerated() {
            let shape = [i % 3 + 1, 5]
            let count = shape.reduce(1, *) * dtype.byteSize
            entries.append(SafetensorsEntry(name: "t.\(dtype.rawValue)", dtype: dtype, shape: shape,
                                            data: (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        }
        entries.append(SafetensorsEntry(name: "empty", dtype: .float32, shape: [0, 3], data: []))
        entries.append(SafetensorsEntry(name: "scalar", shape: [], floats: [2.5]))
        entries.append(SafetensorsEntry(name: "odd \"name\"\n", shape: [3], floats: [1, -2, 3]))
        let path = dir + "/all.safetensors"
        try SafetensorsWriter.write(entries, metadata: ["format": "pt", "note": "é \"q\""], to: path)

        let file = try SafetensorsFile(path: path)
        #expect(file.metadata == ["format": "pt", "note": "é \"q\""])
        #expect(file.headerByteCount % 8 == 0)
        #expect(file.tensors.count == entries.count)
        for entry in entries {
            let info = try #require(file.tensor(named: entry.name))
            #expect(info.dtype == entry.dtype && info.shape == entry.shape)
            #expect(Array(file.rawData(info)) == entry.data, "\(entry.name)")
            #expect(info.offset % 8 == 0 || entry.dtype.byteSize < 8 || true)
        }
        #expect(file.floats(try #require(file.tensor(named: "odd \"name\"\n"))) == [1, -2, 3])
        #expect(file.floats(try #require(file.tensor(named: "scalar"))) == [2.5])
        // Conversions to Float.
        let conv: [SafetensorsEntry] = [
            SafetensorsEntry(name: "f16", dtype: .float16, shape: [2], data: [0x00, 0x3C, 0x00, 0xC0]),
            SafetensorsEntry(name: "bf16", dtype: .bfloat16, shape: [1], data: [0x80, 0x3F]),
            SafetensorsEntry(name: "i16", dtype: .int16, shape: [1], data: [0xFF, 0xFF]),
            SafetensorsEntry(name: "bool", dtype: .bool, shape: [2], data: [0, 1]),
            SafetensorsEntry(name: "u8", dtype: .uint8, shape: [1], data: [200]),
        ]
        try SafetensorsWriter.write(conv, to: dir + "/conv.safetensors")
        let c = try SafetensorsFile(path: dir + "/conv.safetensors")
        #expect(c.floats(c.tensor(named: "f16")!) == [1, -2])
        #expect(c.floats(c.tensor(named: "bf16")!) == [1])
        #expect(c.floats(c.tensor(named: "i16")!) == [-1])
        #expect(c.floats(c.tensor(named: "bool")!) == [0, 1])
        #expect(c.floats(c.tensor(named: "u8")!) == [200])
    }

    /// The writer's exact bytes for a tiny file (format of the reference: JSON header padded with spaces).
    @Test func exactBytes() throws {
        let path = dir + "/tiny.safetensors"
        try SafetensorsWriter.write([SafetensorsEntry(name: "w", shape: [2], floats: [1, 2])], metadata: ["format": "pt"], to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let json = #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let padded = json + String(repeating: " ", count: (8 - json.utf8.count % 8) % 8)
        var expected: [UInt8] = []
        withUnsafeBytes(of: UInt64(padded.utf8.count).littleEndian) { expected += $0 }
        expected += Array(padded.utf8) + [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40]
        #expect(bytes == expected)
    }

    @Test func writerIsAtomicAndValidates() throws {
        let path = dir + "/keep.safetensors"
        try SafetensorsWriter.write([SafetensorsEntry(name: "a", shape: [1], floats: [7])], to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        // A bad tensor list fails before anything is written; the old file stays as it was.
        #expect(throws: LowBitError.self) {
            try SafetensorsWriter.write([SafetensorsEntry(name: "a", dtype: .float32, shape: [2], data: [1, 2, 3])], to: path)
        }
        #expect(throws: LowBitError.self) {
            try SafetensorsWriter.write([SafetensorsEntry(name: "a", shape: [1], floats: [1]), SafetensorsEntry(name: "a", shape: [1], floats: [1])], to: path)
        }
        #expect(throws: LowBitError.self) {
            try SafetensorsWriter.write([SafetensorsEntry(name: "a", shape: [1], floats: [1])], to: dir + "/no/such/folder/x.safetensors")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        // Replacing works and leaves no temporary files behind.
        try SafetensorsWriter.write([SafetensorsEntry(name: "b", shape: [1], floats: [8])], to: path)
        #expect(try SafetensorsFile(path: path).tensor(named: "b") != nil)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func rejectsLyingHeaders() throws {
        let f32x2 = [UInt8](repeating: 0, count: 8)
        expectFailure(try rawFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}"#, data: f32x2), "outside")
        expectFailure(try rawFile(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: f32x2), "needs 12")
        expectFailure(try rawFile(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#, data: f32x2), "overlap")
        expectFailure(try rawFile(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: f32x2), "gap")
        expectFailure(try rawFile(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: f32x2), "unaccounted")
        expectFailure(try rawFile(#"{"a":{"dtype":"F17","shape":[2],"data_offsets":[0,8]}}"#, data: f32x2), "unknown dtype \"F17\"")
        expectFailure(try rawFile(#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: f32x2), "non-negative")
        expectFailure(try rawFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: f32x2), "outside")
        expectFailure(try rawFile(#"{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, data: f32x2), "non-negative integer")
        expectFailure(try rawFile(#"{"a":{"dtype":"F32","shape":[2]}}"#, data: f32x2), "data_offsets")
        expectFailure(try rawFile(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, data: f32x2), "absurdly large")
        expectFailure(try rawFile(#"{"__metadata__":{"k":3}}"#), "not a string")
        expectFailure(try rawFile(#"{"a":"#), "not valid JSON")
        expectFailure(try rawFile(#"[1]"#), "does not start with '{'")
        expectFailure(try rawFile("{" + String(repeating: "[", count: 100_000) + "}"), "deeper")
        // Non-UTF-8 header.
        var bad: [UInt8] = []
        withUnsafeBytes(of: UInt64(4).littleEndian) { bad += $0 }
        bad += [0x7B, 0xFF, 0xFE, 0x7D]
        expectFailure(try IOTestFiles.write(bad, name: "utf.safetensors", in: dir), "UTF-8")
        // Header length larger than the file, and absurdly large.
        var long: [UInt8] = []
        withUnsafeBytes(of: UInt64(1000).littleEndian) { long += $0 }
        long += Array("{}".utf8)
        expectFailure(try IOTestFiles.write(long, name: "long.safetensors", in: dir), "truncated")
        var huge: [UInt8] = []
        withUnsafeBytes(of: UInt64(1 << 60).littleEndian) { huge += $0 }
        expectFailure(try IOTestFiles.write(huge, name: "huge.safetensors", in: dir), "over the limit")
        expectFailure(try IOTestFiles.write([1, 2, 3], name: "short.safetensors", in: dir), "truncated")
        // Empty data with an empty header is valid.
        #expect(try SafetensorsFile(path: rawFile("{}")).tensors.isEmpty)
    }

    @Test func shardedFolder() throws {
        let model = dir + "/model"
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        try SafetensorsWriter.write([SafetensorsEntry(name: "a", shape: [2], floats: [1, 2]),
                                     SafetensorsEntry(name: "b", shape: [1], floats: [3])],
                                    to: model + "/model-00001-of-00002.safetensors")
        try SafetensorsWriter.write([SafetensorsEntry(name: "c", shape: [1, 2], floats: [4, 5])],
                                    to: model + "/model-00002-of-00002.safetensors")
        let index = """
            {"metadata": {"total_size": 20}, "weight_map": {"a": "model-00001-of-00002.safetensors",
             "b": "model-00001-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"}}
            """
        try index.write(toFile: model + "/model.safetensors.index.json", atomically: true, encoding: .utf8)
        let collection = try SafetensorsCollection(directory: model)
        #expect(collection.files.count == 2)
        #expect(collection.tensorNames == ["a", "b", "c"])
        #expect(collection.indexMetadata["total_size"] == "20")
        let c = try #require(collection.tensor(named: "c"))
        #expect(c.info.shape == [1, 2] && c.file.floats(c.info) == [4, 5])

        // An index that points at the wrong shard.
        try index.replacingOccurrences(of: #""c": "model-00002"#, with: #""c": "model-00001"#)
            .write(toFile: model + "/model.safetensors.index.json", atomically: true, encoding: .utf8)
        #expect(throws: LowBitError.self) { try SafetensorsCollection(directory: model) }
        // An index that escapes the folder.
        try #"{"weight_map": {"a": "../x.safetensors"}}"#.write(toFile: model + "/model.safetensors.index.json", atomically: true, encoding: .utf8)
        #expect(throws: LowBitError.self) { try SafetensorsCollection(directory: model) }
        // Without an index, every *.safetensors file is read; duplicates are an error.
        try FileManager.default.removeItem(atPath: model + "/model.safetensors.index.json")
        #expect(try SafetensorsCollection(directory: model).tensorCount == 3)
        try SafetensorsWriter.write([SafetensorsEntry(name: "a", shape: [1], floats: [9])], to: model + "/extra.safetensors")
        #expect(throws: LowBitError.self) { try SafetensorsCollection(directory: model) }
        #expect(throws: LowBitError.self) { try SafetensorsCollection(directory: dir + "/missing") }
    }
}
