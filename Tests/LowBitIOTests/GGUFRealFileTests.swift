import Foundation
import LowBitCore
import LowBitFormats
import LowBitIO
import Testing

/// The default model (SmolLM2-135M-Instruct Q4_1): tensor table, hyper-parameters and decoded values.
@Suite struct GGUFRealFileTests {
    @Test func tensorTableMatchesTheModel() throws {
        guard let path = IOTestFiles.require(IOTestFiles.defaultModelPath) else { return }
        let t0 = monotonicSeconds()
        let file = try GGUFFile(path: path)
        let openSeconds = monotonicSeconds() - t0
        print("opened \(path) in \(String(format: "%.1f", openSeconds * 1000)) ms")
        #expect(file.version == 3)
        #expect(file.tensors.count == 272)
        let byType = Dictionary(grouping: file.tensors, by: \.type).mapValues(\.count)
        #expect(byType == [.q4_1: 210, .q8_0: 1, .f32: 61])
        #expect(file.alignment == 32)
        #expect(file.dataOffset % 32 == 0)

        #expect(file.architecture == "llama")
        #expect(file.int("llama.block_count") == 30)
        #expect(file.int("llama.embedding_length") == 576)
        #expect(file.int("llama.feed_forward_length") == 1536)
        #expect(file.int("llama.attention.head_count") == 9)
        #expect(file.int("llama.attention.head_count_kv") == 3)
        #expect(file.int("llama.context_length") == 8192)
        #expect(file.float("llama.rope.freq_base") == 100000)
        #expect(abs((file.float("llama.attention.layer_norm_rms_epsilon") ?? 0) - 1e-5) < 1e-9)
        #expect(file.string("tokenizer.ggml.model") == "gpt2")
        #expect(file.string("tokenizer.ggml.pre") == "smollm")
        #expect(file.value("tokenizer.ggml.tokens")?.stringArray?.count == 49152)
        #expect(file.value("tokenizer.ggml.merges")?.stringArray?.count == 48900)
        #expect(file.int("tokenizer.ggml.bos_token_id") == 1)
        #expect(file.int("tokenizer.ggml.eos_token_id") == 2)
        #expect(file.metadataKeys.count == file.metadata.count)
        #expect(file.metadataKeys.first == "general.architecture")

        // Shapes (GGUF dims: contiguous first).
        let expected: [String: (GGMLType, [Int])] = [
            "token_embd.weight": (.q8_0, [576, 49152]),
            "output_norm.weight": (.f32, [576]),
            "blk.0.attn_norm.weight": (.f32, [576]),
            "blk.0.ffn_norm.weight": (.f32, [576]),
            "blk.0.attn_q.weight": (.q4_1, [576, 576]),
            "blk.0.attn_k.weight": (.q4_1, [576, 192]),
            "blk.0.attn_v.weight": (.q4_1, [576, 192]),
            "blk.0.attn_output.weight": (.q4_1, [576, 576]),
            "blk.29.ffn_gate.weight": (.q4_1, [576, 1536]),
            "blk.29.ffn_up.weight": (.q4_1, [576, 1536]),
            "blk.29.ffn_down.weight": (.q4_1, [1536, 576]),
        ]
        for (name, (type, dims)) in expected {
            let info = try #require(file.tensor(named: name), "missing \(name)")
            #expect(info.type == type, "\(name)")
            #expect(info.dimensions == dims, "\(name)")
            #expect(info.shape == dims.reversed(), "\(name)")
            #expect(info.byteCount == info.elementCount / type.blockSize * type.blockBytes)
        }
        #expect(file.tensor(named: "output.weight") == nil)  // tied embeddings
        for block in 0..<30 {
            for part in ["attn_norm", "ffn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] {
                #expect(file.tensor(named: "blk.\(block).\(part).weight") != nil)
            }
        }
        let parameters = file.tensors.reduce(0) { $0 + $1.elementCount }
        #expect(parameters == 134_515_008)
        // Tensors tile the data section: the last one ends at the end of the file.
        let end = file.tensors.map { $0.offset + $0.byteCount }.max()
        #expect(end == file.file.count)
    }

    @Test func dequantizedValuesArePlausible() throws {
        guard let path = IOTestFiles.require(IOTestFiles.defaultModelPath) else { return }
        let file = try GGUFFile(path: path)
        for name in ["output_norm.weight", "blk.0.attn_norm.weight", "blk.0.attn_q.weight", "blk.7.ffn_down.weight"] {
            let info = try #require(file.tensor(named: name))
            let values = try file.dequantize(info)
            #expect(values.count == info.elementCount)
            #expect(values.allSatisfy { $0.isFinite }, "\(name)")
            let maxAbs = values.map(abs).max() ?? 0
            #expect(maxAbs > 1e-3 && maxAbs < 100, "\(name): max |x| = \(maxAbs)")
        }
        let t0 = monotonicSeconds()
        let embedding = try #require(file.tensor(named: "token_embd.weight"))
        let table = try file.dequantize(embedding)
        print("dequantized token_embd (q8_0, \(table.count) values) in \(String(format: "%.1f", (monotonicSeconds() - t0) * 1000)) ms")
        #expect(table.count == 576 * 49152)
        #expect(table.allSatisfy { $0.isFinite })
        // One row alone equals the same row of the whole table.
        var row = [Float](repeating: .nan, count: 576)
        try row.withUnsafeMutableBufferPointer { try file.dequantize(embedding, rows: 1234..<1235, into: $0) }
        #expect(row == Array(table[(1234 * 576)..<(1235 * 576)]))
        // Norm weights of a trained model are mostly positive and around 1 in scale.
        let norm = try file.dequantize(try #require(file.tensor(named: "output_norm.weight")))
        let mean = norm.reduce(0, +) / Float(norm.count)
        #expect(mean > 0.1 && mean < 10)
    }

    /// The first Q4_1 block of blk.0.attn_q.weight decoded by hand from its 20 bytes.
    @Test func firstQ4_1BlockByHand() throws {
        guard let path = IOTestFiles.require(IOTestFiles.defaultModelPath) else { return }
        let file = try GGUFFile(path: path)
        let info = try #require(file.tensor(named: "blk.0.attn_q.weight"))
        let raw = file.rawData(info)
        let bytes = Array(raw[0..<20])
        let d = Double(Float16(bitPattern: UInt16(bytes[0]) | UInt16(bytes[1]) << 8))
        let m = Double(Float16(bitPattern: UInt16(bytes[2]) | UInt16(bytes[3]) << 8))
        var expected = [Double](repeating: 0, count: 32)
        for j in 0..<16 {
            expected[j] = Double(bytes[4 + j] & 0x0F) * d + m
            expected[j + 16] = Double(bytes[4 + j] >> 4) * d + m
        }
        let values = try file.dequantize(info)
        for j in 0..<32 {
            #expect(values[j] == Float(expected[j]), "element \(j)")
        }
        #expect(d > 0 && d < 1)
    }
}
