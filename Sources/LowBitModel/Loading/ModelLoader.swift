import Foundation
import LowBitCore
import LowBitIO

/// A model ready to run: the network, its tokenizer and its chat format.
public struct LoadedModel: Sendable {
    public let model: LlamaModel
    public let tokenizer: any Tokenizer
    public let chatTemplate: ChatTemplate
    public let path: String
}

public enum ModelLoader {
    /// The default model's path (SmolLM2-135M-Instruct Q4_1 in the cache).
    public static func defaultModelPath() -> String {
        lowbitCacheDirectory() + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    /// Loads a GGUF file (weights and tokenizer from the one file).
    public static func load(path: String) throws -> LoadedModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LowBitError.notFound("\(path): no such model file or directory")
        }
        if isDirectory.boolValue {
            throw LowBitError.unsupported("\(path): Hugging Face directories are not supported yet (needs the safetensors reader)")
        }
        let file = try GGUFFile(path: path)
        let md = GGUFMetadata(file)
        var config = try LlamaConfig.fromGGUF(md, source: path)
        config.tiedEmbeddings = file.tensor(named: "output.weight") == nil
        if let embed = file.tensor(named: "token_embd.weight"), embed.shape.count == 2, md.int("llama.vocab_size") == nil {
            config.vocabularySize = embed.shape[0]
        }
        let tokenizer = try TokenizerLoader.fromGGUF(md, source: path)
        guard tokenizer.vocabularySize <= config.vocabularySize else {
            throw LowBitError.invalidFile(path, "tokenizer has \(tokenizer.vocabularySize) tokens, the model's vocabulary \(config.vocabularySize)")
        }
        let model = try LlamaModel(config: config, weights: GGUFWeights(file))
        let template = ChatTemplate.detect(md.string("tokenizer.chat_template"), tokenizer: tokenizer)
        return LoadedModel(model: model, tokenizer: tokenizer, chatTemplate: template, path: path)
    }
}
