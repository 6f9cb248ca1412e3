import Foundation
import Testing
import LowBitCore
import LowBitIO
@testable import LowBitModel

/// A tiny Hugging Face folder (config.json, two safetensors shards with an index, tokenizer.json) written
/// here from the half-split numpy fixture; loading it must reproduce the fixture's logits.
@Suite struct HuggingFaceLoadingTests {
    static let hfNames: [String: String] = {
        var map = ["token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
                   "output.weight": "lm_head.weight"]
        for i in 0..<2 {
            for (hf, gguf) in HuggingFaceWeights.layerParts {
                map["blk.\(i).\(gguf).weight"] = "model.layers.\(i).\(hf).weight"
            }
        }
        return map
    }()

    static func writeFolder(_ tiny: LlamaForwardTests.Tiny, dropping: String? = nil, vocab: Int? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lowbit-hf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let c = tiny.config
        let config: [String: Any] = [
            "model_type": "llama", "vocab_size": vocab ?? c.vocabularySize, "hidden_size": c.hiddenSize,
            "intermediate_size": c.intermediateSize, "num_hidden_layers": c.layerCount,
            "num_attention_heads": c.headCount, "num_key_value_heads": c.kvHeadCount, "rope_theta": c.ropeTheta,
            "rms_norm_eps": 1e-5, "max_position_embeddings": 64, "tie_word_embeddings": c.tiedEmbeddings,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/config.json"))
        var shards: [[SafetensorsEntry]] = [[], []]
        var weightMap: [String: String] = [:]
        for (i, name) in tiny.weights.tensors.keys.sorted().enumerated() where name != dropping {
            guard case .float32(let values) = tiny.weights.tensors[name]!.payload else { continue }
            let hf = hfNames[name]!
            shards[i % 2].append(SafetensorsEntry(name: hf, shape: tiny.weights.tensors[name]!.shape, floats: values))
            weightMap[hf] = "model-0000\(i % 2 + 1)-of-00002.safetensors"
        }
        for (i, shard) in shards.enumerated() {
            try SafetensorsWriter.write(shard, to: dir + "/model-0000\(i + 1)-of-00002.safetensors")
        }
        try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": weightMap])
            .write(to: URL(fileURLWithPath: dir + "/model.safetensors.index.json"))
        // A byte-level vocabulary: the 256 byte characters, cut to the model's vocabulary by merging nothing.
        var vocabMap: [String: Int] = [:]
        for (i, ch) in ByteEncoder.byteToCharacter.enumerated() where i < c.vocabularySize { vocabMap[String(ch)] = i }
        let tokenizer: [String: Any] = ["model": ["type": "BPE", "vocab": vocabMap, "merges": [String]()],
                                        "pre_tokenizer": ["type": "ByteLevel"]]
        try JSONSerialization.data(withJSONObject: tokenizer).write(to: URL(fileURLWithPath: dir + "/tokenizer.json"))
        return dir
    }

    @Test func shardedFolderMatchesNumpyReference() throws {
        let tiny = try LlamaForwardTests.load().first { $0.name == "halfsplit_separate_gqa" }!
        let dir = try Self.writeFolder(tiny)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let loaded = try ModelLoader.load(path: dir)
        #expect(loaded.model.config.ropeLayout == .halfSplit)
        let logits = try loaded.model.forward(tiny.ids, cache: loaded.model.makeCache(), logits: .all)
        let worst = zip(logits, tiny.logits).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-4, "max |Δ logit| = \(worst)")
    }

    @Test func configAndTensorsThatDisagreeAreErrors() throws {
        let tiny = try LlamaForwardTests.load().first { $0.name == "halfsplit_separate_gqa" }!
        let missing = try Self.writeFolder(tiny, dropping: "blk.1.ffn_down.weight")
        defer { try? FileManager.default.removeItem(atPath: missing) }
        do { _ = try ModelLoader.load(path: missing); Issue.record("missing tensor accepted") } catch let e as LowBitError {
            #expect(e.message.contains("blk.1.ffn_down.weight"))
        }
        let wrongVocab = try Self.writeFolder(tiny, vocab: 31)
        defer { try? FileManager.default.removeItem(atPath: wrongVocab) }
        do { _ = try ModelLoader.load(path: wrongVocab); Issue.record("wrong vocab accepted") } catch let e as LowBitError {
            #expect(e.message.contains("token_embd.weight") && e.kind == .shapeMismatch)
        }
    }
}
