import ArgumentParser
import Foundation
import LowBitCore
import LowBitModel

/// Options shared by the commands that run a model: which model, and how to sample.
struct ModelArgument: ParsableArguments {
    @Argument(help: "A GGUF model file (default: the cached SmolLM2-135M-Instruct Q4_1).")
    var model: String?

    var path: String { model ?? ModelLoader.defaultModelPath() }

    func load() throws -> LoadedModel {
        let start = monotonicSeconds()
        let loaded = try ModelLoader.load(path: path)
        printError(String(format: "loaded %@ in %.2f s (%.1f MB of weights per token)", path,
                          monotonicSeconds() - start, Double(loaded.model.weightBytesPerToken) / 1e6))
        return loaded
    }
}

struct SamplingOptions: ParsableArguments {
    @Option(help: "Maximum number of tokens to generate.")
    var maxTokens: Int = 256
    @Option(help: "Sampling temperature; 0 = greedy.")
    var temperature: Float = 0
    @Option(help: "Keep only the K most likely tokens (0 = off).")
    var topK: Int = 0
    @Option(help: "Keep the smallest set of tokens whose probability reaches P (1 = off).")
    var topP: Float = 1
    @Option(help: "Random seed for sampling.")
    var seed: UInt64 = 0

    var parameters: SamplingParameters {
        SamplingParameters(temperature: temperature, topK: topK, topP: topP, seed: seed)
    }

    func validate() throws {
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be ≥ 0") }
        try parameters.validate()
    }
}

/// Writes to stdout and flushes, so tokens appear as they are generated (through the same buffer as
/// `print`, so the order of output is kept).
func writeOut(_ text: String) {
    print(text, terminator: "")
    fflush(nil)  // all C streams; naming `stdout` is not concurrency-safe in Swift 6
}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a text with a model (streamed to stdout; speeds on stderr).")

    @OptionGroup var model: ModelArgument
    @Option(help: "The text to continue.")
    var prompt: String
    @OptionGroup var sampling: SamplingOptions

    func run() throws {
        let loaded = try model.load()
        let generator = Generator(loaded)
        var ids = loaded.tokenizer.encode(prompt, parseSpecial: false)
        if loaded.tokenizer.addsBOS, let bos = loaded.tokenizer.bosToken { ids.insert(bos, at: 0) }
        guard !ids.isEmpty else { throw ValidationError("--prompt is empty") }
        guard ids.count < generator.cache.capacity else {
            throw LowBitError.invalidArgument("--prompt", "\(ids.count) tokens do not fit the context of \(generator.cache.capacity)")
        }
        var stats = GenerationStats()
        writeOut(prompt)
        try generator.generate(prompt: ids, maxTokens: sampling.maxTokens, sampling: sampling.parameters,
                               stopTokens: generator.stopTokens, stats: &stats) { writeOut($0) }
        writeOut("\n")
        printError(stats.summary)
    }
}
