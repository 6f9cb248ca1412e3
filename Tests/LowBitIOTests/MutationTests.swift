import Foundation
import LowBitCore
import LowBitFormats
import LowBitIO
import Testing

/// Seeded mutation ("fuzz") tests: damaged copies of real and synthetic files must either parse into
/// something self-consistent or throw a LowBitError naming the file. A crash fails the whole run.
/// LOWBIT_FUZZ_SCALE=n multiplies the iteration counts (default 1 keeps the suite well under a minute in debug).
@Suite struct MutationTests {
    static let scale = max(1, Int(getEnvironment("LOWBIT_FUZZ_SCALE") ?? "") ?? 1)

    typealias RNG = SplitMix64

    /// One of four damages at `offset`: flip a bit, set a random byte, fill 8 bytes with 0xFF, zero 8 bytes.
    static func damage(_ bytes: UnsafeMutableRawBufferPointer, at offset: Int, _ rng: inout RNG) -> String {
        switch rng.below(4) {
        case 0:
            let bit = rng.below(8)
            bytes[offset] ^= UInt8(1 << bit)
            return "flip bit \(bit) at \(offset)"
        case 1:
            let value = UInt8(truncatingIfNeeded: rng.next())
            bytes[offset] = value
            return "set byte \(offset) to \(value)"
        case 2:
            for i in offset..<min(bytes.count, offset + 8) { bytes[i] = 0xFF }
            return "0xFF × 8 at \(offset)"
        default:
            for i in offset..<min(bytes.count, offset + 8) { bytes[i] = 0 }
            return "zero × 8 at \(offset)"
        }
    }

    /// Parses a GGUF from memory; on success uses everything a reader would (tensors' first rows, metadata
    /// conveniences, the info summary). Returns whether it parsed.
    @discardableResult
    static func checkGGUF(_ bytes: UnsafeRawBufferPointer, label: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let path = "/mutated/\(label).gguf"
        do {
            // Borrowed, not copied: the buffer outlives the parse (copying 98 MB per case would dominate the run).
            let file = try GGUFFile(file: MappedFile(path: path, unsafeBorrowing: bytes))
            for tensor in file.tensors {
                #expect(tensor.offset >= file.dataOffset && tensor.offset + tensor.byteCount <= bytes.count, sourceLocation: sourceLocation)
                guard tensor.type.canDequantize, tensor.rowCount > 0, tensor.rowLength > 0, tensor.rowLength <= 1 << 20 else { continue }
                var row = [Float](repeating: 0, count: tensor.rowLength)
                try row.withUnsafeMutableBufferPointer { try file.dequantize(tensor, rows: 0..<1, into: $0) }
            }
            _ = file.architecture
            for key in file.metadataKeys {
                let value = file.metadata[key]!
                _ = (value.summary, value.stringArray?.count, value.intArray?.count, value.floatArray?.count)
            }
            _ = ModelFileSummary.gguf(file).totalsByType
            return true
        } catch let error as LowBitError {
            #expect(error.message.contains(path), "\(label): \(error.message)", sourceLocation: sourceLocation)
            if getEnvironment("LOWBIT_FUZZ_VERBOSE") == "1" { print("\(label): \(error.message)") }
            return false
        } catch {
            Issue.record("\(label): not a LowBitError: \(error)", sourceLocation: sourceLocation)
            return false
        }
    }

    static func realModel() throws -> (bytes: [UInt8], file: GGUFFile)? {
        guard let path = IOTestFiles.require(IOTestFiles.defaultModelPath) else { return nil }
        let file = try GGUFFile(path: path)
        return (Array(file.file.bytes), file)
    }

    @Test func truncatedDefaultModel() throws {
        guard let (original, file) = try Self.realModel() else { return }
        var rng = RNG(seed: 0x7275_6E63)
        var points: [Int] = Array(0..<24) + [file.tensorTableOffset, file.dataOffset, original.count - 1]
        for _ in 0..<(16 * Self.scale) { points.append(24 + rng.below(file.tensorTableOffset - 24)) }
        for _ in 0..<(8 * Self.scale) { points.append(file.tensorTableOffset + rng.below(file.dataOffset - file.tensorTableOffset)) }
        for _ in 0..<(3 * Self.scale) { points.append(file.dataOffset + rng.below(original.count - file.dataOffset)) }
        var parsed = 0
        original.withUnsafeBytes { all in
            for n in points {
                if Self.checkGGUF(UnsafeRawBufferPointer(rebasing: all[0..<n]), label: "truncated-\(n)") { parsed += 1 }
            }
        }
        // Any prefix lacks at least one tensor's bytes.
        #expect(parsed == 0)
    }

    @Test(arguments: 0..<4) func damagedHeaderOfDefaultModel(chunk: Int) throws {
        guard let (original, file) = try Self.realModel() else { return }
        var rng = RNG(seed: 0x666C_6970 &+ UInt64(chunk))
        var copy = original
        for iteration in 0..<(12 * Self.scale) {
            // A quarter near the start (counts, first keys), a third in the tensor table, the rest anywhere
            // in the header.
            let region = rng.below(12)
            let offset = region < 3 ? rng.below(4096)
                : region < 7 ? file.tensorTableOffset + rng.below(file.dataOffset - file.tensorTableOffset)
                : rng.below(file.dataOffset)
            let what = copy.withUnsafeMutableBytes { Self.damage($0, at: offset, &rng) }
            copy.withUnsafeBytes { _ = Self.checkGGUF($0, label: "chunk\(chunk)-\(iteration)-\(what)") }
            // Restore the damaged bytes only (copying 98 MB each time would dominate the run).
            for i in offset..<min(copy.count, offset + 8) { copy[i] = original[i] }
        }
    }

    @Test func damagedSyntheticGGUF() {
        let original = GGUFBuilder.valid()
        var rng = RNG(seed: 0x7379_6E74)
        var parsed = 0
        let iterations = 3000 * Self.scale
        for iteration in 0..<iterations {
            var copy = original
            let damages = 1 + rng.below(3)
            for _ in 0..<damages { _ = copy.withUnsafeMutableBytes { Self.damage($0, at: rng.below(original.count), &rng) } }
            if rng.below(4) == 0 { copy.removeLast(rng.below(copy.count)) }
            if copy.withUnsafeBytes({ Self.checkGGUF($0, label: "synthetic-\(iteration)") }) { parsed += 1 }
        }
        // Some damages hit tensor data or values and still parse; most do not. Both paths were exercised.
        #expect(parsed > 0 && parsed < iterations)
    }

    @Test func damagedSafetensors() throws {
        let dir = try IOTestFiles.temporaryDirectory("fuzz-st")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.safetensors"
        try SafetensorsWriter.write([
            SafetensorsEntry(name: "model.embed_tokens.weight", dtype: .bfloat16, shape: [16, 8], data: [UInt8](repeating: 0x3F, count: 256)),
            SafetensorsEntry(name: "model.layers.0.self_attn.q_proj.weight", shape: [8, 8], floats: (0..<64).map { Float($0) / 7 }),
            SafetensorsEntry(name: "model.norm.weight", dtype: .float16, shape: [8], data: [UInt8](repeating: 0x3C, count: 16)),
            SafetensorsEntry(name: "counts", dtype: .int64, shape: [2, 1], data: [UInt8](repeating: 1, count: 16)),
        ], metadata: ["format": "pt"], to: path)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let headerEnd = 8 + Int(original[0]) + Int(original[1]) << 8
        var rng = RNG(seed: 0x7361_6665)
        var parsed = 0
        let iterations = 3000 * Self.scale
        for iteration in 0..<iterations {
            var copy = original
            for _ in 0..<(1 + rng.below(3)) {
                _ = copy.withUnsafeMutableBytes { Self.damage($0, at: rng.below(headerEnd), &rng) }
            }
            if rng.below(4) == 0 { copy.removeLast(rng.below(copy.count)) }
            let label = "/mutated/st-\(iteration).safetensors"
            do {
                let file = try copy.withUnsafeBytes { try SafetensorsFile(file: MappedFile(path: label, copying: $0)) }
                for tensor in file.tensors {
                    #expect(file.floats(tensor).count == tensor.elementCount)
                }
                _ = ModelFileSummary.safetensors(file).totalBytes
                parsed += 1
            } catch let error as LowBitError {
                #expect(error.message.contains(label), "\(error.message)")
            } catch {
                Issue.record("\(label): not a LowBitError: \(error)")
            }
        }
        #expect(parsed > 0 && parsed < iterations)
    }
}

extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}
