import ArgumentParser
import LowBitCore

@main
struct LowBitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lowbit",
        abstract: "Run large language models with low-bit weights on NVIDIA GPUs and CPUs.",
        discussion: """
            Formats: TC-FPx (fp6, fp5, fpeXmY), FLUTE lookup tables (nf4/nf3/nf2, lut4/3/2), \
            bipolar-INT (bipolar-wNaM), QUIK (quik-w4a4), and uniform integers (int8/4/3/2).
            Models: Llama-family GGUF files and Hugging Face directories (config.json + safetensors).
            Run `lowbit demo` for the one-command tour (fetches the default model if absent).
            """,
        version: LowBitVersion.string,
        subcommands: allSubcommands
    )
}

/// Every subcommand, in the order `--help` lists them. Each lives in its own file under Commands/.
let allSubcommands: [any ParsableCommand.Type] = [
    DemoCommand.self,
    FetchCommand.self,
    InfoCommand.self,
    GenerateCommand.self,
    ChatCommand.self,
    PerplexityCommand.self,
    QuantizeCommand.self,
    DequantizeCommand.self,
    BenchCommand.self,
    DevicesCommand.self,
    SelftestCommand.self,
]
