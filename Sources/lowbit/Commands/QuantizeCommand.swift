import ArgumentParser
import Foundation
import LowBitCore
import LowBitModel
import LowBitQuantize

struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Quantize a GGUF model into a LowBit checkpoint (safetensors + quantization_config).",
        discussion: """
            Formats: fp6 (= e3m2), fp5 (= e2m2), fpeXmY (per-row fp16 scales, TC-FPx); nf4, nf3, nf2 and \
            lut4/lut3/lut2 --table FILE (group scales, FLUTE); int8, int4, int3, int2 (asymmetric round-to-nearest \
            with groups); bipolar-wNaM (N-bit bipolar-INT weights, M-bit activations per token at run time); \
            quik-w4a4 --calibration FILE [--outliers K] (GPTQ int4 weights, fp16 outlier columns, 4-bit activations; \
            down_proj in 8 bits). --gptq --calibration FILE applies GPTQ to the integer, lookup-table and bipolar formats; \
            --tune-scales --calibration FILE searches each group scale of those formats to minimise the layer output \
            error on the calibration text (with or without --gptq). Each group scale of an nf*/lut* table that is \
            not sign-symmetric may be negative (the mirrored table) where that lowers the error: it removes NF2's \
            same-sign rounding bias (docs/quality.md); --no-signed-scales keeps every scale positive. \
            With --gptq or --tune-scales the layers are quantized block by block, each calibrated on its inputs in \
            the model whose earlier layers are already quantized and aimed at the unquantized model's output \
            (--sequential --fp-target, the default for int* / nf* / lut*; --no-sequential: one pass of the unquantized \
            model, the default for fp*, where it measured better; --no-fp-target: each layer aims at its own weights).
            Norms stay F32; the token embedding / output head become int8 (group 32) unless --quantize-embeddings. \
            The output appears only when everything succeeded (temporary file, then rename).
            """)

    @Argument(help: "A GGUF model (default: the cached SmolLM2-135M-Instruct Q4_1).")
    var model: String?
    @Option(help: "Target format (see above).")
    var format: String
    @Option(help: "Output checkpoint path (.safetensors).")
    var output: String
    @Option(help: "Columns per scale: 32, 64, 128, 256 (any multiple of 8) or 'row' (default: the format's).")
    var groupSize: String?
    @Option(help: "Lookup table file for lut2/lut3/lut4: 2^b numbers (whitespace or commas, # comments).")
    var table: String?
    @Flag(help: "GPTQ instead of round-to-nearest (integer, lookup-table and bipolar formats; needs --calibration).")
    var gptq = false
    @Option(help: "Calibration text for --gptq, --tune-scales and quik-w4a4.")
    var calibration: String?
    @Option(help: "Calibration tokens to use (windows of 512).")
    var calibrationTokens: Int = 2048
    @Option(help: "quik-w4a4: outlier input columns kept in fp16 per layer (clamped to the layer width − 8).")
    var outliers: Int = 256
    @Option(help: "Leave tensors whose name contains PATTERN (or matches a glob with * ?) in F32; repeatable.")
    var skip: [String] = []
    @Flag(help: "Quantize the token embedding / output head with the format too (weight-only formats).")
    var quantizeEmbeddings = false
    @Flag(help: "Learned group scales (NFL-style) for nf*/lut*/int*/bipolar-*: each scale minimises the layer output error on --calibration text.")
    var tuneScales = false
    @Flag(inversion: .prefixedNo,
          help: "nf*/lut* with a table that is not sign-symmetric (NF2 = {−1, 0, 0.338, 1}): a group scale may be negative (the mirrored table) when that lowers the group's error. Same format, size and kernels. Default: on for nf*/lut* (docs/quality.md: NF2 unusable without it), --no-signed-scales for positive scales only.")
    var signedScales: Bool?
    @Flag(inversion: .prefixedNo,
          help: "Sequential calibration for --gptq/--tune-scales: layers are quantized block by block (q/k/v, o, gate/up, down), each on its inputs in the model whose earlier layers are already quantized (docs/quality.md). Default: on whenever --gptq or --tune-scales calibrates an int*/nf*/lut* format (fp* --gptq: off, measured worse); --no-sequential for one pass of the unquantized model.")
    var sequential: Bool?
    @Flag(inversion: .prefixedNo,
          help: "With --sequential: each layer targets the unquantized model's output, minimising ‖W·X − Ŵ·X̃‖² (X: the unquantized model's inputs, X̃: the partially quantized model's; GPTAQ). Default: on with --sequential; --no-fp-target targets W on X̃.")
    var fpTarget: Bool?
    @Option(help: "--fp-target's dampening λ (times the mean Hessian diagonal) pulling the target towards W (default: 0.01).")
    var fpTargetDampening: Double?
    @Flag(help: "No progress bar.")
    var quiet = false

    func run() throws {
        let parsed = try QuantizationFormat.parse(format, tableFile: table)
        var group: Int?
        if let groupSize {
            if ["row", "per-row", "perrow"].contains(groupSize.lowercased()) {
                group = 0
            } else if let g = Int(groupSize) {
                group = g
            } else {
                throw LowBitError.invalidArgument("--group-size", "'\(groupSize)' is neither a number nor 'row'")
            }
        }
        // Sequential calibration with the fp target is the default wherever it applies (docs/quality.md).
        let defaults = QuantizeOptions(formatName: format, format: parsed, gptq: gptq, tuneScales: tuneScales)
        let sequentialOn = sequential ?? ((gptq || tuneScales) && defaults.sequentialByDefault)
        let fpTargetOn = fpTarget ?? sequentialOn
        if fpTargetDampening != nil && !fpTargetOn {
            throw LowBitError.invalidArgument("--fp-target-dampening", "is a parameter of --fp-target")
        }
        let options = QuantizeOptions(
            formatName: format.lowercased(), format: parsed, groupSize: group, gptq: gptq, calibrationPath: calibration,
            calibrationTokens: calibrationTokens, outliers: outliers, skipPatterns: skip,
            quantizeEmbeddings: quantizeEmbeddings, tuneScales: tuneScales,
            signedScales: signedScales ?? parsed.allowsSignedScales,
            sequential: sequentialOn, fpTarget: fpTargetOn, fpTargetDampening: fpTargetDampening ?? 0.01,
            showProgress: !quiet)
        let source = model ?? ModelLoader.defaultModelPath()
        let summary = try ModelQuantizer.quantize(source: source, output: output, options: options)
        print(String(format: "%@: %d quantized tensors, %d float tensors, %.3f bits per weight in the block layers, %.1f MB, %.1f s",
                     summary.path, summary.quantizedTensors, summary.floatTensors, summary.bitsPerWeight,
                     Double(summary.bytes) / 1e6, summary.seconds))
    }
}
