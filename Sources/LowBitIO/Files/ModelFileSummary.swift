import Foundation
import LowBitCore
import LowBitFormats

/// What `lowbit info` shows about a model file or folder, independent of how it is printed: format,
/// architecture, hyper-parameters, metadata, tensors and totals by type.
public struct ModelFileSummary: Sendable {
    public struct Tensor: Sendable, Equatable {
        public let name: String
        /// "q4_1", "f32", "BF16", ...
        public let type: String
        /// Row-major shape (outermost first).
        public let shape: [Int]
        public let bytes: Int
        public var elements: Int { shape.reduce(1, *) }
    }

    public struct TypeTotal: Sendable, Equatable {
        public let type: String
        public let tensors: Int
        public let elements: Int
        public let bytes: Int
    }

    public let path: String
    /// "GGUF v3", "safetensors", "Hugging Face folder (2 safetensors files)".
    public let format: String
    public let fileBytes: Int
    public let architecture: String?
    /// Named hyper-parameters in display order (name, value as text).
    public let hyperParameters: [(name: String, value: String)]
    /// All metadata in file order (safetensors' string maps as .string values).
    public let metadata: [(key: String, value: GGUFValue)]
    public let tensors: [Tensor]

    public var totalsByType: [TypeTotal] {
        var order: [String] = []
        var sums: [String: (Int, Int, Int)] = [:]
        for t in tensors {
            if sums[t.type] == nil { order.append(t.type) }
            let s = sums[t.type] ?? (0, 0, 0)
            sums[t.type] = (s.0 + 1, s.1 + t.elements, s.2 + t.bytes)
        }
        return order.map { TypeTotal(type: $0, tensors: sums[$0]!.0, elements: sums[$0]!.1, bytes: sums[$0]!.2) }
            .sorted { $0.bytes > $1.bytes }
    }

    public var totalElements: Int { tensors.reduce(0) { $0 + $1.elements } }
    public var totalBytes: Int { tensors.reduce(0) { $0 + $1.bytes } }

    /// Opens `path` (a GGUF file, a safetensors file, or a Hugging Face folder) and summarizes it.
    public static func load(path: String) throws -> ModelFileSummary {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LowBitError.notFound("\(path): no such file or folder")
        }
        if isDirectory.boolValue { return try huggingFaceFolder(path) }
        let file = try MappedFile(path: path)
        if GGUFFile.hasMagic(file.bytes) { return try gguf(GGUFFile(file: file)) }
        if SafetensorsFile.looksLikeSafetensors(file.bytes) { return try safetensors(SafetensorsFile(file: file)) }
        throw LowBitError.invalidFile(path, "neither a GGUF file (magic \"GGUF\") nor a safetensors file (u64 header length, then '{')")
    }

    public static func gguf(_ file: GGUFFile) -> ModelFileSummary {
        var hyper: [(String, String)] = []
        let arch = file.architecture
        func add(_ name: String, _ value: String?) { if let value { hyper.append((name, value)) } }
        func archInt(_ suffix: String) -> Int? { file.int(file.archKey(suffix)) }
        let heads = archInt("attention.head_count")
        let dModel = archInt("embedding_length")
        add("blocks", archInt("block_count").map(String.init))
        add("d_model", dModel.map(String.init))
        add("ffn", archInt("feed_forward_length").map(String.init))
        add("heads", heads.map(String.init))
        add("kv_heads", archInt("attention.head_count_kv").map(String.init))
        let headDim = archInt("attention.key_length") ?? {
            guard let heads, let dModel, heads > 0 else { return nil }
            return dModel / heads
        }()
        add("head_dim", headDim.map(String.init))
        add("rope_base", file.float(file.archKey("rope.freq_base")).map(formatNumber))
        add("rope_dims", archInt("rope.dimension_count").map(String.init))
        add("context", archInt("context_length").map(String.init))
        let tokens = file.value("tokenizer.ggml.tokens")?.arrayValue?.count
        add("vocab", (archInt("vocab_size") ?? tokens).map(String.init))
        add("norm_eps", (file.float(file.archKey("attention.layer_norm_rms_epsilon"))
                         ?? file.float(file.archKey("attention.layer_norm_epsilon"))).map(formatNumber))
        if file.tensor(named: "token_embd.weight") != nil {
            // llama.cpp's convention: without output.weight the output projection reuses the embedding.
            add("tied_embeddings", file.tensor(named: "output.weight") == nil ? "true" : "false")
        }
        add("tokenizer", file.string("tokenizer.ggml.model"))
        add("tokenizer_pre", file.string("tokenizer.ggml.pre"))
        add("merges", file.value("tokenizer.ggml.merges")?.arrayValue.map { String($0.count) })
        add("bos_token_id", file.int("tokenizer.ggml.bos_token_id").map(String.init))
        add("eos_token_id", file.int("tokenizer.ggml.eos_token_id").map(String.init))
        add("name", file.string("general.name"))
        add("file_type", file.int("general.file_type").map(String.init))

        let metadata = file.metadataKeys.map { ($0, file.metadata[$0]!) }
        let tensors = file.tensors.map { Tensor(name: $0.name, type: $0.type.name, shape: $0.shape, bytes: $0.byteCount) }
        return ModelFileSummary(path: file.path, format: "GGUF v\(file.version)", fileBytes: file.file.count,
                                architecture: arch, hyperParameters: hyper, metadata: metadata, tensors: tensors)
    }

    public static func safetensors(_ file: SafetensorsFile) -> ModelFileSummary {
        ModelFileSummary(path: file.path, format: "safetensors", fileBytes: file.file.count, architecture: nil,
                         hyperParameters: [], metadata: file.metadata.sorted { $0.key < $1.key }.map { ($0.key, GGUFValue.string($0.value)) },
                         tensors: file.tensors.map { Tensor(name: $0.name, type: $0.dtype.rawValue, shape: $0.shape, bytes: $0.byteCount) })
    }

    /// A Hugging Face folder: config.json's architecture and hyper-parameters, the safetensors shards' tensors.
    public static func huggingFaceFolder(_ path: String) throws -> ModelFileSummary {
        let collection = try SafetensorsCollection(directory: path)
        var hyper: [(String, String)] = []
        var architecture: String? = nil
        let configPath = path + "/config.json"
        if FileManager.default.fileExists(atPath: configPath) {
            let config = try MappedFile(path: configPath)
            guard config.count <= 16 << 20,
                  let object = (try? JSONSerialization.jsonObject(with: Data(config.bytes))) as? [String: Any] else {
                throw LowBitError.invalidFile(configPath, "not a JSON object")
            }
            architecture = object["model_type"] as? String
            let keys: [(String, String)] = [
                ("blocks", "num_hidden_layers"), ("d_model", "hidden_size"), ("ffn", "intermediate_size"),
                ("heads", "num_attention_heads"), ("kv_heads", "num_key_value_heads"), ("head_dim", "head_dim"),
                ("rope_base", "rope_theta"), ("context", "max_position_embeddings"), ("vocab", "vocab_size"),
                ("norm_eps", "rms_norm_eps"), ("dtype", "torch_dtype"), ("tie_word_embeddings", "tie_word_embeddings"),
            ]
            for (name, key) in keys {
                guard let value = object[key] else { continue }
                if let number = value as? NSNumber, String(cString: number.objCType) != "c" {
                    hyper.append((name, formatNumber(number.doubleValue)))
                } else {
                    hyper.append((name, "\(value)"))
                }
            }
            if let archs = object["architectures"] as? [String] { hyper.append(("architectures", archs.joined(separator: ","))) }
        }
        var tensors: [Tensor] = []
        var bytes = 0
        for file in collection.files { bytes += file.file.count }
        for name in collection.tensorNames {
            let (_, info) = collection.tensor(named: name)!
            tensors.append(Tensor(name: name, type: info.dtype.rawValue, shape: info.shape, bytes: info.byteCount))
        }
        let metadata = collection.files.first.map { $0.metadata.sorted { $0.key < $1.key }.map { ($0.key, GGUFValue.string($0.value)) } } ?? []
        let format = "Hugging Face folder (\(collection.files.count) safetensors file\(collection.files.count == 1 ? "" : "s"))"
        return ModelFileSummary(path: path, format: format, fileBytes: bytes, architecture: architecture,
                                hyperParameters: hyper, metadata: metadata, tensors: tensors)
    }
}

/// Integers without a fraction, others in the shortest exact form ("100000", "1e-05").
func formatNumber(_ value: Double) -> String {
    if value.rounded() == value && abs(value) < 1e15 { return String(Int64(value)) }
    return "\(Float(value))"
}
