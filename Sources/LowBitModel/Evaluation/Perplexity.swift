import Foundation
import LowBitCore

public struct PerplexityResult: Sendable {
    public var perplexity: Double
    public var meanLoss: Double
    public var tokensScored: Int
    public var windows: Int
    public var seconds: Double
    /// Against a base model (--kl-base): mean KL(base ‖ this) in nats and how often both argmaxes agree.
    public var meanKL: Double?
    public var top1Agreement: Double?
}

public enum Perplexity {
    /// Reads a UTF-8 text file, rejecting empty or invalid files with the path in the message.
    public static func readText(path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LowBitError.notFound("\(path): cannot read the text file")
        }
        guard !data.isEmpty else { throw LowBitError.invalidArgument("--text", "\(path) is empty") }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw LowBitError.invalidArgument("--text", "\(path) is not valid UTF-8")
        }
        return text
    }

    /// Cuts `tokens` into consecutive non-overlapping windows of `context` (a shorter last window too), runs
    /// each from an empty cache and scores every token of a window but its first. With `base`, also compares
    /// this model's next-token distributions against the base model's on the same windows.
    public static func evaluate(model: LlamaModel, tokens: [Int], context: Int, base: LlamaModel? = nil,
                                progress: ((Int, Int, Double) -> Void)? = nil) throws -> PerplexityResult {
        guard context >= 2 else { throw LowBitError.invalidArgument("--context", "must be at least 2, got \(context)") }
        guard context <= model.config.contextLength else {
            throw LowBitError.invalidArgument("--context", "\(context) exceeds the model's context of \(model.config.contextLength)")
        }
        guard tokens.count >= 2 else {
            throw LowBitError.invalidArgument("--text", "has \(tokens.count) token(s); at least 2 are needed")
        }
        if let base, base.config.vocabularySize != model.config.vocabularySize {
            throw LowBitError.invalidArgument("--kl-base", "vocabularies differ (\(base.config.vocabularySize) vs \(model.config.vocabularySize))")
        }
        let start = monotonicSeconds()
        let cache = model.makeCache(capacity: context)
        let baseCache = base?.makeCache(capacity: context)
        let V = model.config.vocabularySize
        var nll = 0.0, kl = 0.0, agree = 0, scored = 0, windows = 0
        var offset = 0
        while offset < tokens.count {
            let window = Array(tokens[offset..<min(tokens.count, offset + context)])
            offset += context
            guard window.count >= 2 else { continue }
            cache.reset()
            let logits = try model.forward(window, cache: cache, logits: .all)
            var baseLogits: [Float] = []
            if let base, let baseCache {
                baseCache.reset()
                baseLogits = try base.forward(window, cache: baseCache, logits: .all)
            }
            for j in 1..<window.count {
                let row = (j - 1) * V
                let logZ = logSumExp(logits, row, V)
                nll -= Double(logits[row + window[j]]) - logZ
                if base != nil {
                    let baseZ = logSumExp(baseLogits, row, V)
                    var k = 0.0, bestA = 0, bestB = 0
                    for v in 0..<V {
                        let lb = Double(baseLogits[row + v]) - baseZ
                        let la = Double(logits[row + v]) - logZ
                        k += exp(lb) * (lb - la)
                        if logits[row + v] > logits[row + bestA] { bestA = v }
                        if baseLogits[row + v] > baseLogits[row + bestB] { bestB = v }
                    }
                    kl += k
                    if bestA == bestB { agree += 1 }
                }
                scored += 1
            }
            windows += 1
            progress?(windows, scored, exp(nll / Double(scored)))
        }
        let mean = nll / Double(scored)
        return PerplexityResult(perplexity: exp(mean), meanLoss: mean, tokensScored: scored, windows: windows,
                                seconds: monotonicSeconds() - start,
                                meanKL: base == nil ? nil : kl / Double(scored),
                                top1Agreement: base == nil ? nil : Double(agree) / Double(scored))
    }

    static func logSumExp(_ x: [Float], _ start: Int, _ n: Int) -> Double {
        var m = -Float.infinity
        for i in start..<(start + n) where x[i] > m { m = x[i] }
        var s = 0.0
        for i in start..<(start + n) { s += exp(Double(x[i] - m)) }
        return Double(m) + log(s)
    }
}
