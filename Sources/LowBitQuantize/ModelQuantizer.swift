import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LowBitCore
import LowBitFormats
import LowBitIO
import LowBitModel

/// A progress bar with elapsed time and an estimate of the time left, redrawn in place on stderr.
public struct ProgressBar {
    let total: Int
    let label: String
    let start = monotonicSeconds()
    let enabled: Bool
    var lastDraw = 0.0

    public init(total: Int, label: String, enabled: Bool = true) {
        self.total = max(total, 1)
        self.label = label
        self.enabled = enabled
    }

    /// `done` of `total` units finished, weighted by work (the estimate scales elapsed time by the rest).
    public mutating func update(done: Double, item: String) {
        guard enabled else { return }
        let now = monotonicSeconds()
        if now - lastDraw < 0.2 && done < Double(total) { return }
        lastDraw = now
        let fraction = min(1, done / Double(total))
        let width = 30, filled = Int(fraction * Double(width))
        let elapsed = now - start
        let left = fraction > 0.001 ? elapsed * (1 - fraction) / fraction : .nan
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let eta = left.isFinite ? String(format: "~%.0f s left", left) : "estimating"
        printError(String(format: "\r%@ [%@] %3.0f%%  %.0f s, %@  %@\u{1B}[K", label, bar, fraction * 100, elapsed, eta, item),
                   terminator: "")
    }

    public func finish() {
        guard enabled else { return }
        printError(String(format: "\r%@ done in %.1f s\u{1B}[K", label, monotonicSeconds() - start))
    }
}

/// Converts GGUF metadata values to JSON-compatible values.
func jsonValue(_ v: GGUFValue) -> Any {
    switch v {
    case .string(let s): return s
    case .bool(let b): return b
    case .float32(let f): return Double(f)
    case .float64(let d): return d
    case .array(let a): return a.map(jsonValue)
    default: return v.intValue ?? 0
    }
}

/// What `lowbit quantize` produced.
public struct QuantizeSummary: Sendable {
    public var path: String
    public var bytes: Int
    public var quantizedTensors: Int
    public var floatTensors: Int
    /// Bits per weight over the quantized block layers (scales, zero points and outliers included).
    public var bitsPerWeight: Double
    public var seconds: Double
}

public enum ModelQuantizer {
    /// Which 2-D tensors are block linear layers (the ones the format applies to).
    static func isBlockLinear(_ name: String) -> Bool { RecordingWeights.inputKey(name) != nil }

    static func matches(_ name: String, _ pattern: String) -> Bool {
        if pattern.contains("*") || pattern.contains("?") { return fnmatch(pattern, name, 0) == 0 }
        return name.contains(pattern)
    }

    /// Quantizes the GGUF model at `source` into a LowBit checkpoint at `output` (written atomically: nothing
    /// appears at `output` unless everything succeeded).
    public static func quantize(source: String, output: String, options: QuantizeOptions) throws -> QuantizeSummary {
        try options.validate()
        guard FileManager.default.fileExists(atPath: source) else { throw LowBitError.notFound("\(source): no such model file") }
        if LowBitCheckpoint.looksLikeCheckpoint(path: source) {
            throw LowBitError.unsupported("\(source): quantizing needs a GGUF model (this file is not GGUF)")
        }
        let file = try GGUFFile(path: source)
        var metadata: [String: Any] = [:]
        for key in file.metadataKeys { if let v = file.metadata[key] { metadata[key] = jsonValue(v) } }
        return try quantize(weights: GGUFWeights(file), metadata: metadata, sourceName: source, output: output, options: options)
    }

    /// Quantizes any weight source whose model metadata (GGUF key names: config and tokenizer) is `metadata`.
    public static func quantize(weights: any WeightSource, metadata: [String: Any], sourceName: String, output: String,
                                options: QuantizeOptions) throws -> QuantizeSummary {
        try options.validate()
        let t0 = monotonicSeconds()
        // Calibration statistics (GPTQ and --tune-scales Hessians, QUIK outlier columns).
        var statistics: [String: InputStatistics] = [:]
        var calibrationTokens: Int?
        // --sequential: every block linear layer is quantized here, on the inputs of the partially quantized model.
        var sequential: [String: QuantizedTensor] = [:]
        if options.usesCalibration, let path = options.calibrationPath {
            if options.sequential {
                let (config, used, context) = try calibrationSetup(weights: weights, metadata: JSONModelMetadata(metadata),
                                                                   textPath: path, options: options)
                let names = weights.tensorNames.filter { name in
                    isBlockLinear(name) && weights.shape(of: name)?.count == 2
                        && !options.skipPatterns.contains { matches(name, $0) }
                }
                sequential = try quantizeSequentially(weights: weights, config: config, tokens: used, context: context,
                                                      names: Set(names), options: options).tensors
                calibrationTokens = used.count
            } else {
                (statistics, calibrationTokens) = try calibrate(weights: weights, metadata: JSONModelMetadata(metadata),
                                                                textPath: path, options: options)
            }
        }
        let source = sourceName
        let names = weights.tensorNames
        var totalWork = 0.0
        for name in names { totalWork += Double(weights.shape(of: name)?.reduce(1, *) ?? 0) }
        var progress = ProgressBar(total: Int(totalWork), label: "quantize \(options.formatName)", enabled: options.showProgress)
        var done = 0.0
        var entries: [SafetensorsEntry] = []
        var layouts: [String: QuantizedTensorLayout] = [:]
        var notConverted: [String] = []
        var floatTensors = 0
        let factorCache = FactorCache()
        var codedBits = 0.0, codedWeights = 0.0
        let embeddingPolicy = options.quantizeEmbeddings ? options.formatName : "int8 symmetric, group 32"
        for name in names {
            guard let shape = weights.shape(of: name) else { continue }
            progress.update(done: done, item: name)
            let isMatrix = shape.count == 2
            let skipped = options.skipPatterns.contains { matches(name, $0) }
            let isEmbedding = name == "token_embd.weight" || name == "output.weight"
            if !isMatrix || skipped || (!isEmbedding && !isBlockLinear(name)) {
                let values = try weights.floats(name)
                entries.append(SafetensorsEntry(name: name, shape: shape, floats: values))
                floatTensors += 1
                if isMatrix { notConverted.append(name) }
            } else {
                let rows = shape[0], cols = shape[1]
                let values = try weights.floats(name)
                let q: QuantizedTensor
                if isEmbedding && !options.quantizeEmbeddings {
                    q = try TensorQuantizer.integer(name, weights: values, rows: rows, cols: cols, bits: 8,
                                                    symmetric: true, groupSize: 32)
                } else if isEmbedding {
                    q = try TensorQuantizer.roundToNearest(name, weights: values, rows: rows, cols: cols,
                                                           format: options.format, groupSize: options.effectiveGroupSize,
                                                           signedScales: options.signedScales)
                } else if let done = sequential[name] {
                    q = done
                    codedBits += q.layout.bitsPerWeight * Double(rows * cols)
                    codedWeights += Double(rows * cols)
                } else {
                    q = try quantizeBlockLinear(name, values: values, rows: rows, cols: cols, options: options,
                                                statistics: statistics, cache: factorCache)
                    codedBits += q.layout.bitsPerWeight * Double(rows * cols)
                    codedWeights += Double(rows * cols)
                }
                layouts[name] = q.layout
                entries += q.entries
            }
            done += Double(shape.reduce(1, *))
        }
        progress.update(done: totalWork, item: "writing \(output)")
        let config = LowBitQuantizationConfig(
            format: options.formatName, groupSize: options.effectiveGroupSize, gptq: options.gptq || options.format == .quik,
            calibration: options.calibrationPath, calibrationTokens: calibrationTokens, embeddings: embeddingPolicy,
            modulesNotConverted: notConverted, source: source, tensors: layouts, tuneScales: options.tuneScales ? true : nil,
            sequential: options.usesCalibration ? options.sequential : nil,
            fpTarget: options.sequential && options.fpTarget ? true : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let configJSON = String(decoding: try encoder.encode(config), as: UTF8.self)
        let metadataJSON = String(decoding: try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys]), as: UTF8.self)
        try SafetensorsWriter.write(entries, metadata: [
            "format": "pt",
            LowBitCheckpointKeys.quantizationConfig: configJSON,
            LowBitCheckpointKeys.modelMetadata: metadataJSON,
            "lowbit.version": LowBitVersion.string,
        ], to: output)
        progress.finish()
        if let reportPath = getEnvironment("LOWBIT_QUANTIZE_REPORT") {
            try QuantizationReport.write(to: reportPath, checkpoint: output, source: weights, metadata: metadata,
                                         statistics: statistics, options: options)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        return QuantizeSummary(path: output, bytes: size, quantizedTensors: layouts.count,
                               floatTensors: floatTensors, bitsPerWeight: codedWeights > 0 ? codedBits / codedWeights : 0,
                               seconds: monotonicSeconds() - t0)
    }

    /// GPTQ factors per layer input (q/k/v and gate/up share theirs), kept for the current block only.
    final class FactorCache {
        var block = ""
        var factors: [String: GPTQ.Factor] = [:]
        func get(_ key: String, _ make: () throws -> GPTQ.Factor) throws -> GPTQ.Factor {
            let blockName = key.split(separator: ".").prefix(2).joined(separator: ".")
            if blockName != self.block {
                self.block = blockName
                factors = [:]
            }
            if let f = factors[key] { return f }
            let f = try make()
            factors[key] = f
            return f
        }
    }

    static func quantizeBlockLinear(_ name: String, values: [Float], rows: Int, cols: Int, options: QuantizeOptions,
                                    statistics: [String: InputStatistics], cache: FactorCache = FactorCache()) throws -> QuantizedTensor {
        let inputKey = RecordingWeights.inputKey(name) ?? name
        let stats = statistics[inputKey]
        switch options.format {
        case .quik:
            guard let stats else { throw LowBitError.invalidArgument(name, "no calibration statistics for this layer") }
            // QUIK keeps down_proj at 8 bits (its input, gate ⊙ up, has much larger outliers).
            let isDown = name.hasSuffix("ffn_down.weight")
            return try TensorQuantizer.quik(name, weights: values, rows: rows, cols: cols, weightBits: isDown ? 8 : 4,
                                            activationBits: isDown ? 8 : 4, outlierCount: options.outliers,
                                            hessian: stats.hessian, columnMax: stats.columnMax,
                                            factorCache: { outliers, make in try cache.get("\(inputKey) \(outliers.outliers)", make) })
        case .bipolar(let wb, let ab) where options.gptq || options.tuneScales:
            // GPTQ and the scale search run on bipolar's odd grid as a table (sign-symmetric: no signed scales).
            var asTable = options
            asTable.format = .lut(try TensorQuantizer.bipolarTable(bits: wb))
            asTable.signedScales = false
            let q = try quantizeBlockLinear(name, values: values, rows: rows, cols: cols, options: asTable,
                                            statistics: statistics, cache: cache)
            return TensorQuantizer.asBipolar(q, activationBits: ab)
        case .int where options.gptq, .lut where options.gptq, .fpx where options.gptq:
            guard let stats else { throw LowBitError.invalidArgument(name, "no calibration statistics for this layer") }
            let factor = try cache.get(inputKey) { try GPTQ.factor(hessian: stats.hessian, n: cols, name: name) }
            return try TensorQuantizer.gptq(name, weights: values, rows: rows, cols: cols, format: options.format,
                                            groupSize: options.effectiveGroupSize, factor: factor, tuneScales: options.tuneScales,
                                            signedScales: options.signedScales)
        case .int where options.tuneScales, .lut where options.tuneScales:
            guard let stats else { throw LowBitError.invalidArgument(name, "no calibration statistics for this layer") }
            return try TensorQuantizer.tunedScales(name, weights: values, rows: rows, cols: cols, format: options.format,
                                                   groupSize: options.effectiveGroupSize, hessian: stats.hessian,
                                                   signedScales: options.signedScales)
        default:
            return try TensorQuantizer.roundToNearest(name, weights: values, rows: rows, cols: cols, format: options.format,
                                                      groupSize: options.effectiveGroupSize, signedScales: options.signedScales)
        }
    }

    /// The model config and the calibration tokens (`--calibration-tokens` of the text) with their window length.
    static func calibrationSetup(weights: any WeightSource, metadata md: JSONModelMetadata, textPath: String,
                                 options: QuantizeOptions) throws -> (config: LlamaConfig, tokens: [Int], context: Int) {
        let text = try Perplexity.readText(path: textPath)
        let sourceName = weights.sourceDescription
        var config = try LlamaConfig.fromGGUF(md, source: sourceName)
        config.tiedEmbeddings = weights.shape(of: "output.weight") == nil
        if let embed = weights.shape(of: "token_embd.weight"), embed.count == 2, md.int("llama.vocab_size") == nil {
            config.vocabularySize = embed[0]
        }
        let tokenizer = try TokenizerLoader.fromGGUF(md, source: sourceName)
        let tokens = tokenizer.encode(text, parseSpecial: false)
        let wanted = options.calibrationTokens
        let context = min(options.calibrationContext, config.contextLength)
        guard tokens.count >= min(wanted, 256) else {
            throw LowBitError.invalidArgument("--calibration", "\(textPath) has only \(tokens.count) tokens; calibration needs at least \(min(wanted, 256))")
        }
        return (config, Array(tokens.prefix(wanted)), context)
    }

    /// Runs the unquantized model over the calibration text (windows of `calibrationContext` tokens) and returns
    /// the input statistics of every block linear layer.
    static func calibrate(weights: any WeightSource, metadata md: JSONModelMetadata, textPath: String,
                          options: QuantizeOptions) throws -> ([String: InputStatistics], Int) {
        let (config, used, context) = try calibrationSetup(weights: weights, metadata: md, textPath: textPath, options: options)
        return (try calibrate(weights: weights, config: config, tokens: used, context: context, showProgress: options.showProgress),
                used.count)
    }

    /// The statistics of one pass of the model over `tokens` in independent windows of `context` tokens.
    static func calibrate(weights: any WeightSource, config: LlamaConfig, tokens used: [Int], context: Int,
                          showProgress: Bool) throws -> [String: InputStatistics] {
        let recording = RecordingWeights(weights)
        let model = try LlamaModel(config: config, weights: recording)
        var progress = ProgressBar(total: used.count, label: "calibrate", enabled: showProgress)
        var start = 0
        while start < used.count {
            let window = Array(used[start..<min(used.count, start + context)])
            let cache = model.makeCache(capacity: window.count)
            _ = try model.forward(window, cache: cache, logits: .none)
            start += window.count
            progress.update(done: Double(start), item: "\(start) of \(used.count) tokens")
        }
        progress.finish()
        return recording.statistics
    }
}

/// `lowbit dequantize`: every weight of a LowBit checkpoint back to Float32 under its original name.
public enum ModelDequantizer {
    public static func dequantize(checkpoint: String, output: String, showProgress: Bool = true) throws -> Int {
        let weights = try LowBitCheckpointWeights(path: checkpoint)
        guard let config = weights.config else {
            throw LowBitError.invalidArgument(checkpoint, "has no quantization_config: it is not a quantized LowBit checkpoint")
        }
        var entries: [SafetensorsEntry] = []
        let names = weights.file.tensors.map(\.name).filter { n in !config.tensors.keys.contains { n.hasPrefix($0 + ".") } }
            + config.tensors.keys.sorted()
        var progress = ProgressBar(total: names.count, label: "dequantize", enabled: showProgress)
        for (i, name) in names.enumerated() {
            progress.update(done: Double(i), item: name)
            guard let shape = weights.shape(of: name) else { continue }
            entries.append(SafetensorsEntry(name: name, shape: shape, floats: try weights.dequantized(name)))
        }
        var metadata = weights.file.metadata
        metadata.removeValue(forKey: LowBitCheckpointKeys.quantizationConfig)
        metadata["lowbit.dequantized_from"] = config.format
        try SafetensorsWriter.write(entries, metadata: metadata, to: output)
        progress.finish()
        return entries.count
    }
}
