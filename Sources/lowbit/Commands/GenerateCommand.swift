import ArgumentParser
import Foundation
import LowBitCore
import LowBitCUDA
import LowBitModel

/// Options shared by the commands that run a model: which model, and how to sample.
struct ModelArgument: ParsableArguments {
    @Argument(help: "A GGUF model file (default: the cached SmolLM2-135M-Instruct Q4_1).")
    var model: String?

    var path: String { model ?? ModelLoader.defaultModelPath() }

    func load() throws -> LoadedModel { try load(device: .cpu).loaded }

    /// Loads for `--device` (cpu: exactly ModelLoader.load), printing the placement notes on stderr.
    func load(device: DeviceChoice) throws -> PlacedModel {
        let start = monotonicSeconds()
        let placed = try ModelPlacement.load(path: path, device: device)
        for note in placed.notes { printError(note) }
        printError(String(format: "loaded %@ in %.2f s (%.1f MB of weights per token)", path,
                          monotonicSeconds() - start, Double(placed.loaded.model.weightBytesPerToken) / 1e6))
        return placed
    }
}

/// `--device` of the commands that run a model (generate, chat, perplexity).
struct DeviceOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "cpu, cuda or auto. cuda runs the linear layers of a LowBit checkpoint (fp6/fp5/fpeXmY: TC-FPx; "
            + "nf4/nf3/nf2/lut*: FLUTE) on the GPU, the rest on the CPU; other formats, GGUF files and no GPU are "
            + "errors. auto falls back to the CPU with a note where cuda would fail.",
        valueName: "device"))
    var device: DeviceChoice = .cpu
}

extension PlacedModel {
    /// After the work: the first GPU error (non-zero exit), else a line of GPU layer statistics on stderr.
    func finish() throws {
        try check()
        if let stats = runtime?.statistics, stats.calls > 0 {
            printError(String(format: "GPU layers: %d calls, %d token rows, %.2f s including fp16 copies",
                              stats.calls, stats.tokens, stats.seconds))
        }
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
    @OptionGroup var device: DeviceOption
    @Option(help: "The text to continue.")
    var prompt: String
    @OptionGroup var sampling: SamplingOptions

    func run() throws {
        let placed = try model.load(device: device.device)
        let loaded = placed.loaded
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
        try placed.finish()
    }
}
