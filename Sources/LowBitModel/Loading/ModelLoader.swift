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
    public static func defaultModelPath() -> String { DefaultAssets.modelPath }

    /// Loads a GGUF file (weights and tokenizer from the one file) or a Hugging Face folder (config.json,
    /// *.safetensors, sharded or not, tokenizer.json).
    public static func load(path: String) throws -> LoadedModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LowBitError.notFound("\(path): no such model file or directory")
        }
        if isDirectory.boolValue { return try loadHuggingFace(directory: path) }
        if LowBitCheckpoint.looksLikeCheckpoint(path: path) { return try LowBitCheckpoint.loadModel(path: path) }
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

    static func loadHuggingFace(directory: String) throws -> LoadedModel {
        func read(_ name: String) -> Data? { FileManager.default.contents(atPath: directory + "/" + name) }
        guard let configData = read("config.json") else {
            throw LowBitError.notFound("\(directory)/config.json: missing (a Hugging Face model folder needs it)")
        }
        let config = try LlamaConfig.fromHuggingFace(json: configData, source: directory + "/config.json")
        guard let tokenizerData = read("tokenizer.json") else {
            throw LowBitError.notFound("\(directory)/tokenizer.json: missing")
        }
        let tokenizerConfig = read("tokenizer_config.json")
        let tokenizer = try TokenizerLoader.fromHuggingFace(tokenizerJSON: tokenizerData, config: tokenizerConfig,
                                                           source: directory + "/tokenizer.json")
        guard tokenizer.vocabularySize <= config.vocabularySize else {
            throw LowBitError.invalidFile(directory, "tokenizer has \(tokenizer.vocabularySize) tokens, config.json's vocab_size is \(config.vocabularySize)")
        }
        let weights = HuggingFaceWeights(try SafetensorsCollection(directory: directory), tiedEmbeddings: config.tiedEmbeddings)
        let model = try LlamaModel(config: config, weights: weights)
        var jinja: String?
        if let tokenizerConfig, let object = try? JSONSerialization.jsonObject(with: tokenizerConfig) as? [String: Any] {
            jinja = object["chat_template"] as? String
        }
        return LoadedModel(model: model, tokenizer: tokenizer, chatTemplate: ChatTemplate.detect(jinja, tokenizer: tokenizer),
                           path: directory)
    }
}
