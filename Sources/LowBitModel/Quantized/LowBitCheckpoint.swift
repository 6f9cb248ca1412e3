import Foundation
import LowBitCore
import LowBitIO

/// Model metadata parsed from the checkpoint's `lowbit.model_metadata` JSON (GGUF key names and values).
public struct JSONModelMetadata: ModelMetadata, @unchecked Sendable {
    // @unchecked Sendable: the dictionary holds only JSON values (strings, numbers, arrays) and is never mutated.
    public let values: [String: Any]
    public init(_ values: [String: Any]) { self.values = values }

    /// JSONSerialization gives NSNumber; dictionaries built in Swift give Int/Double/Bool.
    static func number(_ v: Any?) -> Double? {
        switch v {
        case let i as Int: return Double(i)
        case let d as Double: return d
        case let f as Float: return Double(f)
        case let n as NSNumber: return n.doubleValue
        default: return nil
        }
    }
    static func integer(_ v: Any?) -> Int? {
        if let i = v as? Int { return i }
        guard let d = number(v), d == d.rounded(), d.magnitude < 9e15 else { return nil }
        return Int(d)
    }
    public func int(_ key: String) -> Int? { Self.integer(values[key]) }
    public func double(_ key: String) -> Double? { Self.number(values[key]) }
    public func string(_ key: String) -> String? { values[key] as? String }
    public func bool(_ key: String) -> Bool? {
        if let b = values[key] as? Bool { return b }
        return Self.number(values[key]).map { $0 != 0 }
    }
    public func strings(_ key: String) -> [String]? {
        guard let a = values[key] as? [Any] else { return nil }
        var out: [String] = []
        out.reserveCapacity(a.count)
        for item in a {
            guard let s = item as? String else { return nil }
            out.append(s)
        }
        return out
    }
    public func ints(_ key: String) -> [Int]? {
        guard let a = values[key] as? [Any] else { return nil }
        let out = a.compactMap(Self.integer)
        return out.count == a.count ? out : nil
    }
    public func floats(_ key: String) -> [Float]? {
        guard let a = values[key] as? [Any] else { return nil }
        let out = a.compactMap { Self.number($0).map(Float.init) }
        return out.count == a.count ? out : nil
    }
}

/// A LowBit checkpoint (docs/checkpoint-format.md) as a `WeightSource`: quantized tensors become fused
/// quantized layers, float tensors load as usual. A checkpoint without `quantization_config` (for example the
/// output of `lowbit dequantize`) is a plain float checkpoint with the same model metadata.
// @unchecked Sendable: immutable after init; the mapped file is read-only.
public final class LowBitCheckpointWeights: WeightSource, @unchecked Sendable {
    public let file: SafetensorsFile
    public let config: LowBitQuantizationConfig?
    public let metadata: JSONModelMetadata

    public init(path: String) throws {
        file = try SafetensorsFile(path: path)
        if let text = file.metadata[LowBitCheckpointKeys.quantizationConfig] {
            do {
                config = try JSONDecoder().decode(LowBitQuantizationConfig.self, from: Data(text.utf8))
            } catch {
                throw LowBitError.invalidFile(path, "quantization_config is not valid LowBit JSON: \(error)")
            }
            guard config!.quantMethod == "lowbit" else {
                throw LowBitError.unsupported("\(path): quant_method '\(config!.quantMethod)' is not LowBit's")
            }
        } else {
            config = nil
        }
        guard let text = file.metadata[LowBitCheckpointKeys.modelMetadata],
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw LowBitError.invalidFile(path, "no \(LowBitCheckpointKeys.modelMetadata) in the safetensors metadata (not a LowBit checkpoint)")
        }
        metadata = JSONModelMetadata(object)
        for (name, layout) in config?.tensors ?? [:] {
            try layout.validate(name: name, source: path)
            _ = try bytes(of: name, layout)
        }
    }

    public var sourceDescription: String { file.path }

    private var companionSuffixes: [String] {
        [LowBitCheckpointKeys.qweight, LowBitCheckpointKeys.scales, LowBitCheckpointKeys.zeros,
         LowBitCheckpointKeys.outlierWeight]
    }

    public var tensorNames: [String] {
        let quantized = Set(config?.tensors.keys.map { $0 } ?? [])
        let plain = file.tensors.map(\.name).filter { name in
            !quantized.contains(where: { q in companionSuffixes.contains { name == q + $0 } })
        }
        return plain + quantized.sorted()
    }

    public func shape(of name: String) -> [Int]? {
        if let layout = config?.tensors[name] { return layout.shape }
        return file.tensor(named: name)?.shape
    }

    /// The companion tensors of a quantized weight, with dtype and size checked.
    public func bytes(of name: String, _ layout: QuantizedTensorLayout) throws -> QuantizedTensorBytes {
        func get(_ suffix: String, _ dtype: ElementType, _ shape: [Int]) throws -> UnsafeRawBufferPointer {
            guard let info = file.tensor(named: name + suffix) else {
                throw LowBitError.invalidFile(file.path, "tensor \(name)\(suffix) is missing")
            }
            guard info.dtype == dtype, info.shape == shape else {
                throw LowBitError.invalidFile(
                    file.path, "tensor \(name)\(suffix) is \(info.dtype.rawValue) \(info.shape), expected \(dtype.rawValue) \(shape)")
            }
            return file.rawData(info)
        }
        let rows = layout.rows
        let q = try get(LowBitCheckpointKeys.qweight, .uint8, [rows, layout.rowBytes])
        let groups = layout.scheme == .quik ? 1 : layout.groups
        let s = try get(LowBitCheckpointKeys.scales, .float16, [rows, groups])
        let z = layout.zeroPoint == "stored" ? try get(LowBitCheckpointKeys.zeros, .uint8, [rows, groups]) : nil
        if let z, let bad = z.firstIndex(where: { Int($0) >= layout.table.count }) {
            throw LowBitError.invalidFile(file.path, "tensor \(name).zeros: zero point \(z[bad]) is not a code")
        }
        let nOut = layout.outlierColumns?.count ?? 0
        let o = layout.scheme == .quik && nOut > 0
            ? try get(LowBitCheckpointKeys.outlierWeight, .float16, [rows, nOut]) : nil
        return QuantizedTensorBytes(qweight: q, scales: s, zeros: z, outlierWeight: o)
    }

    /// The fused layer for a quantized tensor, or nil for a float tensor.
    public func quantizedLayer(_ name: String) throws -> (any LinearWeight)? {
        guard let layout = config?.tensors[name] else { return nil }
        let b = try bytes(of: name, layout)
        switch layout.scheme {
        case .codes: return QuantizedCodeLinear(layout: layout, bytes: b)
        case .bipolar: return BipolarLinear(layout: layout, bytes: b)
        case .quik: return try QuikLinear(layout: layout, bytes: b)
        }
    }

    public func payload(_ name: String) throws -> TensorPayload {
        if config?.tensors[name] != nil { return .float32(try dequantized(name)) }
        guard let info = file.tensor(named: name) else {
            throw LowBitError.notFound("\(file.path): tensor \(name) is missing")
        }
        guard [.float32, .float16, .bfloat16].contains(info.dtype) else {
            throw LowBitError.invalidFile(file.path, "tensor \(name) has dtype \(info.dtype.rawValue), not a float type")
        }
        return .float32(file.floats(info))
    }

    public func linear(_ name: String, rows: Int, cols: Int) throws -> any LinearWeight {
        if let layer = try quantizedLayer(name) { return layer }
        return try denseOrBlockLayer(name, rows: rows, cols: cols)
    }

    public func embedding(_ name: String, rows: Int, cols: Int) throws -> any EmbeddingTable {
        if let layer = try quantizedLayer(name) {
            if let table = layer as? any EmbeddingTable { return table }
            throw LowBitError.unsupported("\(file.path): \(name) uses an activation-quantized format; it cannot be an embedding table")
        }
        return try denseOrBlockLayer(name, rows: rows, cols: cols)
    }

    /// Every value of a quantized tensor as the model computes with it: ŵ = s × (table[c] − z) in Float32,
    /// quik outlier columns widened from fp16. Row-major [rows, cols].
    public func dequantized(_ name: String) throws -> [Float] {
        guard let layout = config?.tensors[name] else {
            return try floats(name)
        }
        let b = try bytes(of: name, layout)
        let rows = layout.rows, cols = layout.cols
        var out = [Float](repeating: 0, count: rows * cols)
        switch layout.scheme {
        case .codes:
            let layer = QuantizedCodeLinear(layout: layout, bytes: b)
            out.withUnsafeMutableBufferPointer { o in
                for r in 0..<rows { layer.lookup(r, into: o.baseAddress! + r * cols) }
            }
        case .bipolar, .quik:
            let reader = CodeRowReader(bits: layout.bits)
            let codes = copyCodesForReading(layout, b.qweight)
            let outl = layout.outlierColumns ?? []
            let isOutlier = Set(outl)
            let inliers = (0..<cols).filter { !isOutlier.contains($0) }
            let gs = min(layout.groupSize, layout.codedColumns), groups = layout.scheme == .quik ? 1 : layout.groups
            let z: Float = layout.zeroPoint == "constant" ? (layout.zeroConstant ?? 0) : 0
            for r in 0..<rows {
                let row = UnsafePointer(codes) + r * layout.rowBytes
                for (j, col) in inliers.enumerated() {
                    let s = Float(Float16(bitPattern: b.scales.loadUnaligned(
                        fromByteOffset: 2 * (r * groups + j / gs), as: UInt16.self)))
                    out[r * cols + col] = s * (layout.table[Int(reader.code(row, j))] - z)
                }
                if let ow = b.outlierWeight {
                    for (j, col) in outl.enumerated() {
                        out[r * cols + col] = Float(Float16(bitPattern: ow.loadUnaligned(
                            fromByteOffset: 2 * (r * outl.count + j), as: UInt16.self)))
                    }
                }
            }
            codes.deallocate()
        }
        return out
    }

    private func copyCodesForReading(_ layout: QuantizedTensorLayout, _ bytes: UnsafeRawBufferPointer) -> UnsafeMutablePointer<UInt8> {
        let n = layout.rows * layout.rowBytes
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: n + 8)
        p.initialize(repeating: 0, count: n + 8)
        UnsafeMutableRawPointer(p).copyMemory(from: bytes.baseAddress!, byteCount: n)
        return p
    }
}

public enum LowBitCheckpoint {
    /// True when `path` is a regular file that does not start with the GGUF magic (the loader then treats it
    /// as a safetensors LowBit checkpoint and reports precisely if it is not one).
    public static func looksLikeCheckpoint(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = handle.readData(ofLength: 4)
        return head.count == 4 && Array(head) != [0x47, 0x47, 0x55, 0x46]
    }

    /// A LowBit checkpoint (quantized or dequantized) as a runnable model with its tokenizer.
    public static func loadModel(path: String) throws -> LoadedModel {
        let checkpoint = try LowBitCheckpointWeights(path: path)
        return try loadModel(path: path, checkpoint: checkpoint, layers: checkpoint)
    }

    /// The same, with the layers taken from `layers` (e.g. the checkpoint's tensors placed on a GPU):
    /// config and tokenizer always come from the checkpoint's metadata.
    public static func loadModel(path: String, checkpoint: LowBitCheckpointWeights,
                                 layers weights: any WeightSource) throws -> LoadedModel {
        let md = checkpoint.metadata
        var config = try LlamaConfig.fromGGUF(md, source: path)
        config.tiedEmbeddings = checkpoint.shape(of: "output.weight") == nil
        if let embed = checkpoint.shape(of: "token_embd.weight"), embed.count == 2, md.int("llama.vocab_size") == nil {
            config.vocabularySize = embed[0]
        }
        let tokenizer = try TokenizerLoader.fromGGUF(md, source: path)
        guard tokenizer.vocabularySize <= config.vocabularySize else {
            throw LowBitError.invalidFile(path, "tokenizer has \(tokenizer.vocabularySize) tokens, the model's vocabulary \(config.vocabularySize)")
        }
        let model = try LlamaModel(config: config, weights: weights)
        let template = ChatTemplate.detect(md.string("tokenizer.chat_template"), tokenizer: tokenizer)
        return LoadedModel(model: model, tokenizer: tokenizer, chatTemplate: template, path: path)
    }
}
