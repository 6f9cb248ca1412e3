import ArgumentParser
import Foundation
import LowBitCore
import LowBitIO
import LowBitModel

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The one-command tour: fetch the default model and Austen if absent, chat, measure perplexity.")

    @Option(help: "The chat prompt.")
    var prompt = "What is the capital of France?"
    @Option(help: "Tokens of Pride and Prejudice to score (windows of 512).")
    var perplexityTokens = 1024

    func validate() throws {
        guard perplexityTokens >= 2 else { throw ValidationError("--perplexity-tokens must be at least 2") }
    }

    func run() throws {
        let modelPath = try DefaultAssets.ensureModel()
        let austen = try DefaultAssets.ensureAusten()
        let start = monotonicSeconds()
        let loaded = try ModelLoader.load(path: modelPath)
        let loadSeconds = monotonicSeconds() - start
        print("model: \(modelPath)")
        print(String(format: "  %d layers, width %d, %d heads / %d kv heads, vocabulary %d; %.1f MB of weights per token; loaded in %.2f s",
                     loaded.model.config.layerCount, loaded.model.config.hiddenSize, loaded.model.config.headCount,
                     loaded.model.config.kvHeadCount, loaded.model.config.vocabularySize,
                     Double(loaded.model.weightBytesPerToken) / 1e6, loadSeconds))

        print("\nuser: \(prompt)\nassistant: ", terminator: "")
        let generator = Generator(loaded, contextLength: 1024)
        var stats = GenerationStats()
        let ids = loaded.tokenizer.encode(loaded.chatTemplate.render([ChatMessage(.user, prompt)]))
        try generator.generate(prompt: ids, maxTokens: 64, sampling: SamplingParameters(),
                               stopTokens: generator.stopTokens, stats: &stats) { writeOut($0) }
        print("\n  (\(stats.summary))")

        let textPath = austen + "/" + AustenNovel.prideprejudice.fileName
        let text = try Perplexity.readText(path: textPath)
        let tokens = Array(loaded.tokenizer.encode(text, parseSpecial: false).prefix(perplexityTokens))
        let result = try Perplexity.evaluate(model: loaded.model, tokens: tokens, context: 512)
        print(String(format: "\nperplexity on the first %d tokens of Pride and Prejudice (windows of 512): %.4f (%d tokens scored in %.1f s, %.0f tok/s)",
                     tokens.count, result.perplexity, result.tokensScored, result.seconds,
                     Double(tokens.count) / result.seconds))
        print("\nsummary: greedy chat, perplexity and speed of SmolLM2-135M-Instruct (Q4_1 weights used in place, \(Parallel.threadCount) CPU threads)")
    }
}
