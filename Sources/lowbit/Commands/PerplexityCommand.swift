import ArgumentParser
import Foundation
import LowBitCore
import LowBitModel

struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Perplexity of a model on a text file (and KL divergence against a base model).",
        discussion: """
            The file is tokenized without BOS; the first --max-tokens tokens are cut into consecutive \
            non-overlapping windows of --context tokens, each run from an empty cache; every token of a window \
            except its first is scored. Perplexity = exp(mean cross-entropy).
            """)

    @OptionGroup var model: ModelArgument
    @OptionGroup var device: DeviceOption
    @Option(help: "A UTF-8 text file.")
    var text: String
    @Option(help: "Window length in tokens (≥ 2).")
    var context: Int = 512
    @Option(help: "Use the first N tokens of the file.")
    var maxTokens: Int = 4096
    @Option(help: "Also report mean KL divergence and top-1 agreement against this base model.")
    var klBase: String?
    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard context >= 2 else { throw ValidationError("--context must be at least 2 (got \(context))") }
        guard maxTokens >= 2 else { throw ValidationError("--max-tokens must be at least 2 (got \(maxTokens))") }
    }

    func run() throws {
        let content = try Perplexity.readText(path: text)
        let placed = try model.load(device: device.device)
        let loaded = placed.loaded
        let base = try klBase.map { try ModelLoader.load(path: $0) }
        let t0 = monotonicSeconds()
        let all = loaded.tokenizer.encode(content, parseSpecial: false)
        let tokens = Array(all.prefix(maxTokens))
        printError(String(format: "tokenized %@: %d tokens in %.2f s, using %d", text, all.count, monotonicSeconds() - t0, tokens.count))
        let result = try Perplexity.evaluate(model: loaded.model, tokens: tokens, context: context, base: base?.model) {
            windows, scored, ppl in
            printError(String(format: "window %d: %d tokens scored, running perplexity %.4f", windows, scored, ppl))
        }
        try placed.finish()
        if json {
            var object: [String: Any] = [
                "model": loaded.path, "text": text, "perplexity": result.perplexity, "mean_loss": result.meanLoss,
                "tokens_scored": result.tokensScored, "windows": result.windows, "context": context,
                "tokens": tokens.count, "seconds": result.seconds,
            ]
            if placed.runtime != nil { object["device"] = placed.device }
            if let kl = result.meanKL, let top1 = result.top1Agreement, let base {
                object["kl_base"] = base.path
                object["mean_kl"] = kl
                object["top1_agreement"] = top1
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "perplexity %.4f over %d tokens scored (%d windows of %d) in %.1f s",
                         result.perplexity, result.tokensScored, result.windows, context, result.seconds))
            if let kl = result.meanKL, let top1 = result.top1Agreement {
                print(String(format: "KL(base ‖ model) %.6f nats, top-1 agreement %.2f%%", kl, top1 * 100))
            }
        }
    }
}
