import Foundation
import Testing
import LowBitCore
import LowBitKernels
@testable import LowBitModel

/// Tiny random models (written with their numpy logits by scripts/reference/tiny_fixtures.py), one per
/// supported variant: interleaved/half-split RoPE, tied/separate output, GQA/MQA/MHA, linear RoPE scaling.
@Suite struct LlamaForwardTests {
    struct Tiny {
        let name: String
        let config: LlamaConfig
        let weights: InMemoryWeights
        let ids: [Int]
        let logits: [Double]
    }

    static func load() throws -> [Tiny] {
        let variants = try Fixtures.json("tiny_llama.json") as! [[String: Any]]
        return variants.map { v in
            let c = v["config"] as! [String: Any]
            func i(_ k: String) -> Int { (c[k] as! NSNumber).intValue }
            let scaling = (c["linear_scaling"] as! NSNumber).doubleValue
            let config = LlamaConfig(
                vocabularySize: i("vocab"), hiddenSize: i("hidden"), intermediateSize: i("ffn"), layerCount: i("layers"),
                headCount: i("heads"), kvHeadCount: i("kv_heads"), headDim: i("head_dim"),
                ropeTheta: (c["theta"] as! NSNumber).doubleValue, ropeScaling: scaling == 1 ? nil : .linear(factor: scaling),
                ropeLayout: RoPELayout(rawValue: c["layout"] as! String)!, rmsNormEps: 1e-5, contextLength: 64,
                tiedEmbeddings: c["tied"] as! Bool)
            var w = InMemoryWeights(description: "tiny")
            for (name, t) in v["tensors"] as! [String: [String: Any]] {
                w.set(name, shape: (t["shape"] as! [NSNumber]).map(\.intValue), (t["values"] as! [NSNumber]).map(\.floatValue))
            }
            return Tiny(name: v["name"] as! String, config: config, weights: w,
                        ids: (v["ids"] as! [NSNumber]).map(\.intValue), logits: (v["logits"] as! [NSNumber]).map(\.doubleValue))
        }
    }

    @Test func allVariantsMatchNumpyReference() throws {
        for tiny in try Self.load() {
            let model = try LlamaModel(config: tiny.config, weights: tiny.weights)
            let logits = try model.forward(tiny.ids, cache: model.makeCache(), logits: .all)
            let worst = zip(logits, tiny.logits).map { abs(Double($0) - $1) }.max()!
            // Float32 forward vs float64 numpy: tolerance 1e-4 absolute on logits of magnitude ~1.
            #expect(worst < 1e-4, "\(tiny.name): max |Δ logit| = \(worst)")
        }
    }

    /// `forwardBlock` over several windows at once (each from position 0, the last one shorter) gives each window's
    /// `forward` logits, and its observer sees every linear input with its width, in the block's order.
    @Test func blockForwardOverWindowsMatchesForward() throws {
        for tiny in try Self.load() {
            let model = try LlamaModel(config: tiny.config, weights: tiny.weights)
            let c = tiny.config, d = c.hiddenSize
            let window = max(2, tiny.ids.count / 2 - 1)
            let ids = tiny.ids + tiny.ids.reversed() + tiny.ids.prefix(3)
            var x = try model.embed(ids)
            var seen: [(LlamaModel.BlockInput, Int)] = []
            for layer in 0..<c.layerCount {
                try x.withUnsafeMutableBufferPointer { xb in
                    try model.forwardBlock(layer, residual: xb.baseAddress!, tokens: ids.count, sequenceLength: window) { input, _, t, width in
                        #expect(t == ids.count)
                        seen.append((input, width))
                    }
                }
            }
            #expect(seen.map(\.0) == Array(repeating: LlamaModel.BlockInput.allCases, count: c.layerCount).flatMap { $0 })
            #expect(seen.prefix(4).map(\.1) == [d, c.queryWidth, d, c.intermediateSize])
            // Logits from the carried residual, window by window, against forward from an empty cache.
            var start = 0, worst: Float = 0
            while start < ids.count {
                let end = min(ids.count, start + window)
                let want = try model.forward(Array(ids[start..<end]), cache: model.makeCache(), logits: .all)
                var h = [Float](repeating: 0, count: (end - start) * d)
                var got = [Float](repeating: 0, count: (end - start) * c.vocabularySize)
                for t in start..<end {
                    model.outputNorm.withUnsafeBufferPointer { w in
                        x.withUnsafeBufferPointer { xb in
                            h.withUnsafeMutableBufferPointer { hb in
                                Elementwise.rmsNorm(xb.baseAddress! + t * d, weight: w.baseAddress!, eps: c.rmsNormEps, count: d,
                                                    out: hb.baseAddress! + (t - start) * d)
                            }
                        }
                    }
                }
                h.withUnsafeBufferPointer { hb in
                    got.withUnsafeMutableBufferPointer { model.output.apply(hb.baseAddress!, tokens: end - start, into: $0.baseAddress!) }
                }
                worst = max(worst, zip(want, got).map { abs($0 - $1) }.max()!)
                start = end
            }
            #expect(worst < 1e-5, "\(tiny.name): max |Δ logit| = \(worst)")
            #expect(throws: LowBitError.self) { try model.forwardBlock(c.layerCount, residual: &x, tokens: 1, sequenceLength: 4) }
        }
    }

    /// Prefill in one batch, token by token, and mixed chunks must give the same logits (KV cache, positions).
    @Test func incrementalDecodingMatchesBatch() throws {
        let tiny = try Self.load()[1]
        let model = try LlamaModel(config: tiny.config, weights: tiny.weights)
        let batch = try model.forward(tiny.ids, cache: model.makeCache(), logits: .all)
        let cache = model.makeCache()
        var stepwise: [Float] = []
        stepwise += try model.forward(Array(tiny.ids[0..<4]), cache: cache, logits: .all)
        for id in tiny.ids[4...] { stepwise += try model.forward([id], cache: cache, logits: .last) }
        #expect(cache.count == tiny.ids.count)
        let worst = zip(batch, stepwise).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5)
    }

    /// Swapping the RoPE layout must change the output (the classic silent bug is caught by the reference).
    @Test func wrongRopeLayoutIsDetected() throws {
        let tiny = try Self.load()[0]
        var config = tiny.config
        config.ropeLayout = .halfSplit
        let model = try LlamaModel(config: config, weights: tiny.weights)
        let logits = try model.forward(tiny.ids, cache: model.makeCache(), logits: .all)
        let worst = zip(logits, tiny.logits).map { abs(Double($0) - $1) }.max()!
        #expect(worst > 1e-2)
    }

    @Test func strictLoadingNamesTheTensor() throws {
        let tiny = try Self.load()[1]
        var missing = tiny.weights
        missing.tensors["blk.1.ffn_up.weight"] = nil
        #expect(throws: LowBitError.self) { try LlamaModel(config: tiny.config, weights: missing) }
        do { _ = try LlamaModel(config: tiny.config, weights: missing) } catch let e as LowBitError {
            #expect(e.message.contains("blk.1.ffn_up.weight") && e.message.contains("missing"))
        }
        var extra = tiny.weights
        extra.set("blk.0.attn_q.bias", shape: [16], [Float](repeating: 0, count: 16))
        do { _ = try LlamaModel(config: tiny.config, weights: extra); Issue.record("unused tensor accepted") } catch let e as LowBitError {
            #expect(e.message.contains("blk.0.attn_q.bias"))
        }
        var misshaped = tiny.weights
        misshaped.set("blk.0.attn_k.weight", shape: [16, 16], [Float](repeating: 0, count: 256))
        do { _ = try LlamaModel(config: tiny.config, weights: misshaped); Issue.record("wrong shape accepted") } catch let e as LowBitError {
            #expect(e.message.contains("blk.0.attn_k.weight") && e.kind == .shapeMismatch)
        }
        var nan = tiny.weights
        var norm = [Float](repeating: 1, count: 16)
        norm[3] = .nan
        nan.set("output_norm.weight", shape: [16], norm)
        do { _ = try LlamaModel(config: tiny.config, weights: nan); Issue.record("NaN accepted") } catch let e as LowBitError {
            #expect(e.message.contains("output_norm.weight"))
        }
    }

    @Test func contextOverflowAndBadTokensAreErrors() throws {
        let tiny = try Self.load()[0]
        let model = try LlamaModel(config: tiny.config, weights: tiny.weights)
        let cache = model.makeCache(capacity: 4)
        #expect(throws: LowBitError.self) { try model.forward([1, 2, 3, 4, 5], cache: cache) }
        #expect(throws: LowBitError.self) { try model.forward([29], cache: cache) }
        #expect(throws: LowBitError.self) { try model.forward([-1], cache: cache) }
    }

    @Test func configFromHuggingFaceJSON() throws {
        let json = """
            {"model_type": "llama", "vocab_size": 49152, "hidden_size": 576, "intermediate_size": 1536,
             "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3, "rope_theta": 100000,
             "rms_norm_eps": 1e-5, "max_position_embeddings": 8192, "tie_word_embeddings": true,
             "rope_scaling": {"rope_type": "llama3", "factor": 8, "low_freq_factor": 1, "high_freq_factor": 4,
                              "original_max_position_embeddings": 8192}}
            """
        let c = try LlamaConfig.fromHuggingFace(json: Data(json.utf8), source: "config.json")
        #expect(c.headDim == 64 && c.kvHeadCount == 3 && c.tiedEmbeddings && c.ropeLayout == .halfSplit)
        #expect(c.ropeScaling == .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 8192))
        // llama3 scaling: high frequencies kept, low ones divided by the factor.
        let f = c.inverseFrequencies()
        #expect(f[0] == 1 && abs(f[31] - pow(100000, -62.0 / 64) / 8) < 1e-15)
        let bad = #"{"model_type": "gpt_neox", "hidden_size": 1}"#
        #expect(throws: LowBitError.self) { try LlamaConfig.fromHuggingFace(json: Data(bad.utf8), source: "x") }
        let inconsistent = #"{"model_type": "llama", "vocab_size": 10, "hidden_size": 64, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 6, "num_key_value_heads": 4}"#
        #expect(throws: LowBitError.self) { try LlamaConfig.fromHuggingFace(json: Data(inconsistent.utf8), source: "x") }
    }

    /// A Q8_0 layer served in place through GGMLBlockLinear equals its dense F32 expansion.
    @Test func ggmlBlockWeightsMatchDense() throws {
        var bytes: [UInt8] = []
        var dense: [Float] = []
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<(4 * 64 / 32) {
            let d = Float16(Float.random(in: 0.01...0.1, using: &rng))
            bytes += withUnsafeBytes(of: d.bitPattern, Array.init)
            for _ in 0..<32 {
                let q = Int8.random(in: -127...127, using: &rng)
                bytes.append(UInt8(bitPattern: q))
                dense.append(Float(d) * Float(q))
            }
        }
        let owner = OwnedBytes(bytes)
        let block = try owner.bytes.withUnsafeBytes { try GGMLBlockLinear(kind: .q8_0, rows: 4, cols: 64, bytes: $0, owner: owner) }
        let ref = DenseF32Linear(rows: 4, cols: 64, values: dense)
        let x = (0..<128).map { _ in Float.random(in: -1...1, using: &rng) }
        var a = [Float](repeating: .nan, count: 8), b = a
        x.withUnsafeBufferPointer { xp in
            a.withUnsafeMutableBufferPointer { block.apply(xp.baseAddress!, tokens: 2, into: $0.baseAddress!) }
            b.withUnsafeMutableBufferPointer { ref.apply(xp.baseAddress!, tokens: 2, into: $0.baseAddress!) }
        }
        #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-4 })
    }
}
