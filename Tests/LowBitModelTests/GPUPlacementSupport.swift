import Foundation
import LowBitCore
import LowBitFormats
import LowBitIO
@testable import LowBitModel

/// Test support for the GPU placement tests: tiny LowBit checkpoints written by hand (independently of
/// `lowbit quantize`, from docs/checkpoint-format.md) and a host emulation of a GPU layer.
enum TinyCheckpoint {
    static let d = 64, ff = 88, vocab = 96, layers = 2, heads = 4, kvHeads = 2, context = 64

    typealias Rng = SplitMix64

    static var metadata: [String: Any] {
        [
            "general.architecture": "llama", "llama.block_count": layers, "llama.embedding_length": d,
            "llama.feed_forward_length": ff, "llama.attention.head_count": heads,
            "llama.attention.head_count_kv": kvHeads, "llama.context_length": context,
            "llama.rope.freq_base": 10000.0, "llama.attention.layer_norm_rms_epsilon": 1e-5,
            "llama.vocab_size": vocab,
            "tokenizer.ggml.model": "gpt2", "tokenizer.ggml.tokens": (0..<vocab).map { "t\($0)" },
            "tokenizer.ggml.merges": [String](),
        ]
    }

    static func packRows(_ codes: [UInt8], rows: Int, cols: Int, bits: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        for r in 0..<rows { out += try BitPacking.packMSBFirst(Array(codes[(r * cols)..<((r + 1) * cols)]), bits: bits) }
        return out
    }

    static func halfBytes(_ h: [UInt16]) -> [UInt8] { h.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }

    /// Layout + companion entries of one quantized tensor in `format`: fp6, fp5, fpe2m3, fp6g32 (group-scaled
    /// FPx), nf4, nf3, nf2 (+ g32/g64/g128/grow), int4 (asymmetric, stored zeros), int8 (symmetric, g32).
    static func quantize(_ name: String, _ w: [Float], rows: Int, cols: Int, format: String) throws
        -> (QuantizedTensorLayout, [SafetensorsEntry]) {
        func entries(_ layout: QuantizedTensorLayout, _ codes: [UInt8], _ scales: [UInt16], zeros: [UInt8]? = nil) throws -> [SafetensorsEntry] {
            var e = [
                SafetensorsEntry(name: name + ".qweight", dtype: .uint8, shape: [rows, layout.rowBytes],
                                 data: try packRows(codes, rows: rows, cols: cols, bits: layout.bits)),
                SafetensorsEntry(name: name + ".scales", dtype: .float16, shape: [rows, layout.groups], data: halfBytes(scales)),
            ]
            if let zeros { e.append(SafetensorsEntry(name: name + ".zeros", dtype: .uint8, shape: [rows, layout.groups], data: zeros)) }
            return e
        }
        if format.hasPrefix("fp") {
            let group = format.hasSuffix("g32") ? 32 : nil
            let f = try FPxFormat(parsing: group == nil ? format : String(format.dropLast(3)))
            let m = try FPxMatrix.quantize(w, rows: rows, columns: cols, format: f, grouping: group.map { .columns($0) } ?? .perRow)
            let layout = QuantizedTensorLayout(scheme: .codes, codec: "fp\(f.bitWidth) \(f.name)", rows: rows, cols: cols,
                                               bits: f.bitWidth, groupSize: group ?? cols, decoding: "fpx",
                                               exponentBits: f.exponentBits, mantissaBits: f.mantissaBits, table: f.decodeTable)
            return (layout, try entries(layout, m.codes, m.scales))
        }
        if format.hasPrefix("nf") {
            let t = try LookupTable.named(String(format.prefix(3)))
            let suffix = format.dropFirst(3)
            let group = suffix == "grow" ? cols : suffix.isEmpty ? 128 : Int(suffix.dropFirst())!
            let grouping: ScaleGrouping = group >= cols ? .perRow : .columns(group)
            let m = try LUTMatrix.quantize(w, rows: rows, columns: cols, table: t, grouping: grouping)
            let layout = QuantizedTensorLayout(scheme: .codes, codec: t.name, rows: rows, cols: cols, bits: t.bits,
                                               groupSize: min(group, cols), decoding: "lookup", table: t.values)
            return (layout, try entries(layout, m.codes, m.scales))
        }
        if format == "int8" {  // symmetric, groups of 32: c = round(w/s) + 128, s = absmax/127
            let g = 32, groups = (cols + g - 1) / g
            var codes = [UInt8](repeating: 0, count: rows * cols), scales = [UInt16](repeating: 0, count: rows * groups)
            for r in 0..<rows {
                for j in 0..<groups {
                    let range = (j * g)..<min(cols, (j + 1) * g)
                    let absmax = range.map { abs(w[r * cols + $0]) }.max()!
                    let s = Float(Float16(max(absmax, 1e-6) / 127))
                    scales[r * groups + j] = Float16(s).bitPattern
                    for k in range { codes[r * cols + k] = UInt8(max(0, min(255, (w[r * cols + k] / s).rounded() + 128))) }
                }
            }
            let layout = QuantizedTensorLayout(scheme: .codes, codec: "int8 symmetric", rows: rows, cols: cols, bits: 8,
                                               groupSize: g, decoding: "integer", table: (0..<256).map(Float.init),
                                               zeroPoint: "constant", zeroConstant: 128)
            return (layout, try entries(layout, codes, scales))
        }
        if format == "int4" {  // asymmetric with stored zero points (only placement is tested: values are not)
            let layout = QuantizedTensorLayout(scheme: .codes, codec: "int4 asymmetric", rows: rows, cols: cols, bits: 4,
                                               groupSize: cols, decoding: "integer", table: (0..<16).map(Float.init),
                                               zeroPoint: "stored")
            return (layout, try entries(layout, [UInt8](repeating: 3, count: rows * cols),
                                        [UInt16](repeating: Float16(0.01).bitPattern, count: rows), zeros: [UInt8](repeating: 8, count: rows)))
        }
        throw LowBitError.invalidArgument("format", format)
    }

    /// Writes a tiny random Llama as a LowBit checkpoint: block layers in `format`, the (tied) embedding in int8
    /// g32 as `lowbit quantize` does by default, norms in F32. Returns the path.
    static func write(format: String, seed: UInt64 = 7, directory: String) throws -> String {
        var rng = Rng(seed: seed)
        var entries: [SafetensorsEntry] = []
        var layouts: [String: QuantizedTensorLayout] = [:]
        func matrix(_ name: String, _ rows: Int, _ cols: Int, _ sigma: Float, _ fmt: String) throws {
            let w = (0..<(rows * cols)).map { _ in rng.normal() * sigma }
            let (layout, e) = try quantize(name, w, rows: rows, cols: cols, format: fmt)
            layouts[name] = layout
            entries += e
        }
        func vector(_ name: String, _ n: Int) {
            entries.append(SafetensorsEntry(name: name, shape: [n], floats: (0..<n).map { _ in 1 + 0.1 * rng.uniform() }))
        }
        try matrix("token_embd.weight", vocab, d, 0.4, "int8")
        let kv = kvHeads * (d / heads)
        for i in 0..<layers {
            let p = "blk.\(i)."
            vector(p + "attn_norm.weight", d)
            vector(p + "ffn_norm.weight", d)
            try matrix(p + "attn_q.weight", d, d, 0.25, format)
            try matrix(p + "attn_k.weight", kv, d, 0.25, format)
            try matrix(p + "attn_v.weight", kv, d, 0.25, format)
            try matrix(p + "attn_output.weight", d, d, 0.12, format)
            try matrix(p + "ffn_gate.weight", ff, d, 0.12, format)
            try matrix(p + "ffn_up.weight", ff, d, 0.12, format)
            try matrix(p + "ffn_down.weight", d, ff, 0.1, format)
        }
        vector("output_norm.weight", d)
        let config = LowBitQuantizationConfig(format: format, groupSize: nil, gptq: false, calibration: nil,
                                              calibrationTokens: nil, embeddings: "int8 symmetric, group 32",
                                              modulesNotConverted: [], source: "tiny", tensors: layouts)
        let metadataJSON = try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys])
        let path = directory + "/tiny-\(format).safetensors"
        try SafetensorsWriter.write(entries, metadata: [
            "format": "pt",
            LowBitCheckpointKeys.quantizationConfig: String(decoding: try JSONEncoder().encode(config), as: UTF8.self),
            LowBitCheckpointKeys.modelMetadata: String(decoding: metadataJSON, as: UTF8.self),
        ], to: path)
        return path
    }

    static func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "lowbit-gpu-placement-\(UInt64.random(in: 0...UInt64.max))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Text the model itself finds typical: windows sampled at temperature 1, each from a fresh cache (so
    /// perplexity windows of the same lengths see exactly these sequences). Random tokens would sit in the
    /// tails of the distribution, where a perplexity comparison measures noise.
    static func sampleText(_ model: LlamaModel, windows: [Int], seed: UInt64) throws -> [Int] {
        var sampler = Sampler(SamplingParameters(temperature: 1, seed: seed))
        var out: [Int] = []
        for (i, n) in windows.enumerated() {
            let cache = model.makeCache(capacity: n)
            var token = (Int(seed) &+ 31 &* i) % model.config.vocabularySize
            for _ in 0..<n {
                out.append(token)
                let logits = try model.forward([token], cache: cache, logits: .last)
                token = sampler.sample(logits[...])
            }
        }
        return out
    }

    static func config(_ checkpoint: LowBitCheckpointWeights) throws -> LlamaConfig {
        var c = try LlamaConfig.fromGGUF(checkpoint.metadata, source: checkpoint.sourceDescription)
        c.tiedEmbeddings = checkpoint.shape(of: "output.weight") == nil
        return c
    }
}

/// What a GPU layer computes, on the host: y = fp16( Σ_k fp16(x_k) · ŵ_k ) with the sum in Float64 (the kernels
/// accumulate in FP32 over exact products of fp16 activations and weights, then round to fp16).
final class EmulatedGPULinear: LinearWeight, @unchecked Sendable {  // immutable after init
    let name: String
    let outFeatures: Int
    let inFeatures: Int
    let weights: [Float]
    let matrix: GPUWeightMatrix

    init(name: String, matrix: GPUWeightMatrix) {
        self.name = name
        self.matrix = matrix
        outFeatures = matrix.rows
        inFeatures = matrix.columns
        weights = matrix.dequantize()
    }

    var weightBytes: Int { outFeatures * inFeatures }

    func apply(_ x: UnsafePointer<Float>, tokens: Int, into y: UnsafeMutablePointer<Float>) {
        for t in 0..<tokens {
            let xh = (0..<inFeatures).map { Double(Float(Float16(x[t * inFeatures + $0]))) }
            for r in 0..<outFeatures {
                var sum = 0.0
                for k in 0..<inFeatures { sum += xh[k] * Double(weights[r * inFeatures + k]) }
                y[t * outFeatures + r] = Float(Float16(Float(sum)))
            }
        }
    }
}

extension SplitMix64 {
    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }
    mutating func normal() -> Float { (uniform() + uniform() + uniform() + uniform()) * 0.87 }
}
