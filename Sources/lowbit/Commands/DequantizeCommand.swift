import ArgumentParser
import LowBitCore
import LowBitQuantize

struct DequantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dequantize",
        abstract: "Write every weight of a LowBit checkpoint back as F32 under its original name.",
        discussion: """
            The values are exactly what the quantized model computes with (scale × table value, zero points and \
            QUIK outlier columns applied). The output keeps the model metadata, so it runs with generate/perplexity.
            """)

    @Argument(help: "A quantized LowBit checkpoint.")
    var quantized: String
    @Option(help: "Output .safetensors path.")
    var output: String
    @Flag(help: "No progress bar.")
    var quiet = false

    func run() throws {
        let count = try ModelDequantizer.dequantize(checkpoint: quantized, output: output, showProgress: !quiet)
        print("\(output): \(count) F32 tensors")
    }
}
