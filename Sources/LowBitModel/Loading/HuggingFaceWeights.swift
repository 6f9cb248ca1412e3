import LowBitCore
import LowBitIO

/// A Hugging Face Llama folder's safetensors (sharded or not) under the model's canonical (GGUF) names.
/// HF names map one to one (`model.layers.3.self_attn.q_proj.weight` → `blk.3.attn_q.weight`); names that do
/// not map keep their HF spelling, so strict loading reports them as unused by name.
public struct HuggingFaceWeights: WeightSource {
    public let collection: SafetensorsCollection
    /// canonical name → HF name
    let names: [String: String]

    public init(_ collection: SafetensorsCollection, tiedEmbeddings: Bool) {
        self.collection = collection
        var names: [String: String] = [:]
        for hf in collection.tensorNames {
            // Buffers that are not weights (older exports) and the duplicate head of tied checkpoints.
            if hf.hasSuffix("rotary_emb.inv_freq") || (tiedEmbeddings && hf == "lm_head.weight") { continue }
            names[HuggingFaceWeights.canonicalName(hf) ?? hf] = hf
        }
        self.names = names
    }

    static let layerParts: [String: String] = [
        "input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
        "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
        "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down",
    ]

    static func canonicalName(_ hf: String) -> String? {
        switch hf {
        case "model.embed_tokens.weight": return "token_embd.weight"
        case "model.norm.weight": return "output_norm.weight"
        case "lm_head.weight": return "output.weight"
        default: break
        }
        let prefix = "model.layers."
        guard hf.hasPrefix(prefix), hf.hasSuffix(".weight") else { return nil }
        let rest = hf.dropFirst(prefix.count).dropLast(".weight".count)
        guard let dot = rest.firstIndex(of: "."), let layer = Int(rest[..<dot]),
              let part = layerParts[String(rest[rest.index(after: dot)...])] else { return nil }
        return "blk.\(layer).\(part).weight"
    }

    public var sourceDescription: String { collection.directory }
    public var tensorNames: [String] { Array(names.keys) }
    public func shape(of name: String) -> [Int]? { names[name].flatMap { collection.tensor(named: $0)?.info.shape } }

    public func payload(_ name: String) throws -> TensorPayload {
        guard let hf = names[name], let (file, info) = collection.tensor(named: hf) else {
            throw LowBitError.notFound("\(collection.directory): tensor \(name) is missing")
        }
        switch info.dtype {
        case .float16:
            let raw = file.rawData(info)
            return .float16((0..<info.elementCount).map {
                Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))
            })
        case .float32, .bfloat16, .float64:
            return .float32(file.floats(info))
        default:
            throw LowBitError.invalidFile(file.path, "tensor \(hf) has dtype \(info.dtype.rawValue); weights must be floating point")
        }
    }
}
