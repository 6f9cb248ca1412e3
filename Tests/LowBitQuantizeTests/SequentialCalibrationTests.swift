import Foundation
import LowBitCore
import LowBitFormats
import LowBitIO
import LowBitModel
import Testing
@testable import LowBitQuantize

@Suite("Sequential calibration (--sequential, --fp-target)")
struct SequentialCalibrationTests {
    static let order: [(key: String, layers: [String])] = [
        ("attn_in", ["attn_q", "attn_k", "attn_v"]), ("attn_out", ["attn_output"]),
        ("ffn_in", ["ffn_gate", "ffn_up"]), ("ffn_down", ["ffn_down"]),
    ]

    static func config(_ md: [String: Any]) throws -> LlamaConfig {
        var config = try LlamaConfig.fromGGUF(JSONModelMetadata(md), source: "tiny")
        config.tiedEmbeddings = true
        return config
    }

    /// max |a − b| / max |b| over two statistics' Hessians.
    static func relativeDifference(_ a: InputStatistics, _ b: InputStatistics) -> Double {
        let ha = a.hessian, hb = b.hessian
        let scale = hb.map(\.magnitude).max() ?? 1
        return zip(ha, hb).map { abs($0 - $1) }.max()! / scale
    }

    /// The statistics each layer is quantized with are those that a plain calibration pass records from the model
    /// whose earlier layers (earlier blocks, and in the block q/k/v → o → gate/up → down) are replaced by their
    /// dequantized weights; and they differ from the unquantized model's.
    @Test(arguments: ["int2", "nf3"])
    func statisticsComeFromThePartiallyQuantizedModel(_ format: String) throws {
        let (source, md) = tinyModel(seed: 7)
        let config = try Self.config(md)
        let tokens = (0..<100).map { ($0 * 7 + 3) % 50 }  // windows of 32, 32, 32, 4
        let names = Set(source.tensorNames.filter { ModelQuantizer.isBlockLinear($0) })
        let options = QuantizeOptions(formatName: format, format: try QuantizationFormat.parse(format), groupSize: 8, gptq: true,
                                      calibrationPath: "unused", signedScales: format.hasPrefix("nf"), sequential: true,
                                      showProgress: false)
        try options.validate()
        let sequential = try ModelQuantizer.quantizeSequentially(weights: source, config: config, tokens: tokens, context: 32,
                                                                 names: names, options: options, keepStatistics: true)
        #expect(sequential.tensors.count == names.count)
        let plain = try ModelQuantizer.calibrate(weights: source, config: config, tokens: tokens, context: 32, showProgress: false)
        var replaced = source
        for block in 0..<2 {
            for (key, layers) in Self.order {
                let name = "blk.\(block).\(key)"
                let reference = try ModelQuantizer.calibrate(weights: replaced, config: config, tokens: tokens, context: 32,
                                                             showProgress: false)
                let got = try #require(sequential.statistics[name])
                let want = try #require(reference[name]), unquantized = try #require(plain[name])
                #expect(got.tokens == tokens.count)
                let error = Self.relativeDifference(got, want)
                #expect(error <= 1e-5, "\(format) \(name): sequential vs reference model \(error)")
                let shift = Self.relativeDifference(unquantized, want)
                if block > 0 || key != "attn_in" {
                    #expect(shift > 1e-3, "\(format) \(name): the earlier layers' quantization does not show (\(shift))")
                } else {
                    #expect(shift == 0, "\(format) \(name): the first layers read the unquantized embedding")
                }
                // The layers of this input as quantized, dequantized, for the next stage's reference model.
                for layer in layers {
                    let full = "blk.\(block).\(layer).weight"
                    let q = try #require(sequential.tensors[full])
                    replaced.set(full, shape: [q.layout.rows, q.layout.cols], try dequantizedValues(q))
                }
            }
        }
    }

    /// The whole command path: the checkpoint holds the sequentially quantized layers and records the options.
    @Test func quantizeWritesSequentialCheckpoint() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (source, tinyMetadata) = tinyModel(seed: 9)
        var md = tinyMetadata
        // A byte-level vocabulary of 50 letters: every letter of the text is one token.
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX").map(String.init)
        md["tokenizer.ggml.model"] = "gpt2"
        md["tokenizer.ggml.tokens"] = letters
        md["tokenizer.ggml.merges"] = [String]()
        let text = dir + "/calibration.txt"
        try String((0..<400).map { Character(letters[($0 * 11 + 5) % 50]) }).write(toFile: text, atomically: true, encoding: .utf8)
        for fpTarget in [false, true] {
            let out = dir + "/int3-\(fpTarget).safetensors"
            let options = QuantizeOptions(formatName: "int3", format: .int(bits: 3), groupSize: 8, gptq: true, calibrationPath: text,
                                          calibrationTokens: 300, calibrationContext: 64, tuneScales: true, sequential: true,
                                          fpTarget: fpTarget, showProgress: false)
            _ = try ModelQuantizer.quantize(weights: source, metadata: md, sourceName: "tiny", output: out, options: options)
            let ckpt = try LowBitCheckpointWeights(path: out)
            let config = try #require(ckpt.config)
            #expect(config.sequential == true && config.calibrationTokens == 300)
            #expect(config.fpTarget == (fpTarget ? true : nil))
            // Same layers as the sequential run itself (deterministic), as the checkpoint dequantizes them.
            let direct = try ModelQuantizer.quantizeSequentially(
                weights: source, config: try Self.config(md), tokens: Array(TokenizerLoader.fromGGUF(JSONModelMetadata(md), source: "tiny")
                    .encode(try String(contentsOfFile: text, encoding: .utf8), parseSpecial: false).prefix(300)),
                context: 64, names: Set(source.tensorNames.filter { ModelQuantizer.isBlockLinear($0) }), options: options)
            for name in ["blk.0.attn_q.weight", "blk.1.ffn_down.weight"] {
                #expect(try ckpt.dequantized(name) == dequantizedValues(try #require(direct.tensors[name])), "\(name)")
            }
        }
        // Without --sequential the checkpoint says so.
        let out = dir + "/plain.safetensors"
        let options = QuantizeOptions(formatName: "int3", format: .int(bits: 3), groupSize: 8, gptq: true, calibrationPath: text,
                                      calibrationTokens: 300, calibrationContext: 64, showProgress: false)
        _ = try ModelQuantizer.quantize(weights: source, metadata: md, sourceName: "tiny", output: out, options: options)
        #expect(try LowBitCheckpointWeights(path: out).config?.sequential == false)
    }

    /// Synthetic layer whose quantized-model input is the float input plus an error correlated with it: GPTQ on the
    /// --fp-target W* has a smaller ‖W X − Ŵ X̃‖ than GPTQ on W (both with the Hessian of X̃), and W* itself is closer
    /// than W.
    @Test(arguments: ["int3", "nf3", "int2"])
    func fpTargetLowersTheErrorAgainstTheFloatOutput(_ format: String) throws {
        var rng = Rand(31)
        let rows = 40, cols = 96, tokens = 600
        let w = (0..<(rows * cols)).map { _ in rng.normal() }
        let mix = (0..<(cols * cols)).map { _ in rng.float() * 0.3 }
        let drift = (0..<(cols * cols)).map { _ in rng.float() * 0.08 }
        var x = [Float](repeating: 0, count: tokens * cols), xq = x
        for t in 0..<tokens {
            let z = (0..<cols).map { _ in rng.normal() }
            for j in 0..<cols {
                var s: Float = z[j]
                for i in 0..<cols where i % 5 == 0 { s += z[i] * mix[i * cols + j] }
                x[t * cols + j] = s
            }
            // The partially quantized model's input: x plus a linear error of x plus noise.
            for j in 0..<cols {
                var e: Float = 0.05 * rng.normal()
                for i in 0..<cols where i % 3 == 0 { e += x[t * cols + i] * drift[i * cols + j] }
                xq[t * cols + j] = x[t * cols + j] + e
            }
        }
        let stats = InputStatistics(width: cols)
        xq.withUnsafeBufferPointer { stats.add($0.baseAddress!, tokens: tokens) }
        let target = try x.withUnsafeBufferPointer { xb in
            try xq.withUnsafeBufferPointer { qb in
                try FPTarget(fp: xb.baseAddress!, quantized: qb.baseAddress!, tokens: tokens, width: cols, hessian: stats.hessian,
                             dampening: 0.01, name: "w")
            }
        }
        let wStar = target.target(w, rows: rows)
        func error(_ v: [Float]) -> Double {
            var e = 0.0
            for t in 0..<tokens {
                for r in 0..<rows {
                    var d = 0.0
                    for k in 0..<cols {
                        d += Double(w[r * cols + k]) * Double(x[t * cols + k]) - Double(v[r * cols + k]) * Double(xq[t * cols + k])
                    }
                    e += d * d
                }
            }
            return e
        }
        let eW = error(w), eStar = error(wStar)
        #expect(eStar < 0.5 * eW, "W* misses the float output by \(eStar), W by \(eW)")
        let parsed = try QuantizationFormat.parse(format)
        let factor = try GPTQ.factor(hessian: stats.hessian, n: cols)
        func quantized(_ v: [Float]) throws -> [Float] {
            try dequantizedValues(TensorQuantizer.gptq("w", weights: v, rows: rows, cols: cols, format: parsed, groupSize: 32,
                                                       factor: factor, tuneScales: true, signedScales: format.hasPrefix("nf")))
        }
        let plain = error(try quantized(w)), corrected = error(try quantized(wStar))
        #expect(corrected < 0.9 * plain, "\(format): ‖WX − ŴX̃‖² \(corrected) with --fp-target vs \(plain) without")
        // Identical inputs: W* = W exactly (D = 0).
        let same = try x.withUnsafeBufferPointer { xb in
            try FPTarget(fp: xb.baseAddress!, quantized: xb.baseAddress!, tokens: tokens, width: cols, hessian: stats.hessian,
                         dampening: 0.01, name: "w")
        }
        #expect(same.target(w, rows: rows) == w)
    }

    @Test func badCombinationsAreClearErrors() throws {
        func fails(_ options: QuantizeOptions, mentioning words: [String]) {
            do {
                try options.validate()
                Issue.record("accepted; expected an error about \(words)")
            } catch let e as LowBitError {
                for word in words { #expect(e.message.contains(word), "\(e.message)") }
            } catch { Issue.record("\(error)") }
        }
        let int2 = QuantizationFormat.int(bits: 2)
        fails(QuantizeOptions(formatName: "int2", format: int2, sequential: true), mentioning: ["--sequential", "--gptq"])
        fails(QuantizeOptions(formatName: "int2", format: int2, gptq: true, calibrationPath: "x", fpTarget: true),
              mentioning: ["--fp-target", "--sequential"])
        fails(QuantizeOptions(formatName: "quik-w4a4", format: .quik, calibrationPath: "x", sequential: true),
              mentioning: ["--sequential", "quik-w4a4"])
        fails(QuantizeOptions(formatName: "bipolar-w2a8", format: .bipolar(weightBits: 2, activationBits: 8), gptq: true,
                              calibrationPath: "x", sequential: true), mentioning: ["--sequential", "bipolar-w2a8"])
        fails(QuantizeOptions(formatName: "int2", format: int2, gptq: true, calibrationPath: "x", sequential: true, fpTarget: true,
                              fpTargetDampening: 0), mentioning: ["--fp-target-dampening"])
        fails(QuantizeOptions(formatName: "int2", format: int2, gptq: true, calibrationPath: "x", sequential: true, fpTarget: true,
                              fpTargetDampening: .nan), mentioning: ["--fp-target-dampening"])
        try QuantizeOptions(formatName: "int2", format: int2, calibrationPath: "x", tuneScales: true, sequential: true,
                            fpTarget: true).validate()
    }

    /// The CLI's default: sequential for the integer and table formats, one pass for TC-FPx (fp6 measured worse
    /// sequential), which still accepts --sequential when asked.
    @Test func sequentialIsTheDefaultWhereItMeasuredBetter() throws {
        for name in ["int2", "int4", "nf3", "nf4"] {
            #expect(QuantizeOptions(formatName: name, format: try QuantizationFormat.parse(name), gptq: true).sequentialByDefault, "\(name)")
        }
        for name in ["fp6", "fp5", "bipolar-w2a8", "quik-w4a4"] {
            #expect(!QuantizeOptions(formatName: name, format: try QuantizationFormat.parse(name), gptq: true).sequentialByDefault, "\(name)")
        }
        try QuantizeOptions(formatName: "fp6", format: try QuantizationFormat.parse("fp6"), gptq: true, calibrationPath: "x",
                            sequential: true).validate()
    }
}
