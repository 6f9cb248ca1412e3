import LowBitCore

/// Prompt and generation speed, measured separately (prompt = one batched forward pass; generation = one
/// decode step per token, sampling included).
public struct GenerationStats: Sendable {
    public init() {}
    public var promptTokens = 0
    public var promptSeconds = 0.0
    public var generatedTokens = 0
    public var generationSeconds = 0.0
    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0 }
    public var generationTokensPerSecond: Double {
        generationSeconds > 0 ? Double(generatedTokens) / generationSeconds : 0
    }
    public var summary: String {
        func f(_ x: Double) -> String { String(format: "%.1f", x) }
        return "prompt: \(promptTokens) tokens, \(f(promptTokensPerSecond)) tok/s; "
            + "generation: \(generatedTokens) tokens, \(f(generationTokensPerSecond)) tok/s"
    }
}

/// Turns the bytes of successive tokens into text without splitting UTF-8 sequences: it decodes all ids
/// so far and hands out only what is new (SentencePiece decoding depends on the preceding token).
public struct StreamingDetokenizer {
    let tokenizer: any Tokenizer
    var ids: [Int] = []
    var emitted = 0

    public init(tokenizer: any Tokenizer) { self.tokenizer = tokenizer }

    public mutating func append(_ id: Int) -> String {
        ids.append(id)
        let bytes = tokenizer.decodeBytes(ids)
        guard bytes.count > emitted else { return "" }
        // Hold back an incomplete UTF-8 sequence at the end.
        var end = bytes.count
        var back = 0
        while back < 4 && end - back - 1 >= emitted {
            let b = bytes[end - back - 1]
            if b & 0xC0 == 0x80 { back += 1; continue }
            let need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            if need > back + 1 { end -= back + 1 }
            break
        }
        guard end > emitted else { return "" }
        let text = String(decoding: bytes[emitted..<end], as: UTF8.self)
        emitted = end
        return text
    }
}

/// Runs a model over a growing token sequence with one KV cache: prompt prefill, then sampled decode steps.
public final class Generator {
    public let loaded: LoadedModel
    public let cache: KVCache
    /// Tokens whose keys and values are in the cache.
    public private(set) var history: [Int] = []

    public init(_ loaded: LoadedModel, contextLength: Int? = nil) {
        self.loaded = loaded
        cache = loaded.model.makeCache(capacity: contextLength)
    }

    /// Token ids that end generation: EOS and the chat template's end-of-turn tokens.
    public var stopTokens: Set<Int> {
        var set = Set(loaded.chatTemplate.stopTexts.compactMap { loaded.tokenizer.tokenId($0) })
        if let eos = loaded.tokenizer.eosToken { set.insert(eos) }
        return set
    }

    /// Continues from `prompt` (the full sequence: tokens already in the cache as a common prefix are reused)
    /// for at most `maxTokens`, calling `onText` with each new piece of text. Returns the generated ids.
    @discardableResult
    public func generate(prompt: [Int], maxTokens: Int, sampling: SamplingParameters, stopTokens: Set<Int>,
                         stats: inout GenerationStats, onText: (String) -> Void) throws -> [Int] {
        try sampling.validate()
        guard !prompt.isEmpty else { throw LowBitError.invalidArgument("prompt", "is empty (no tokens)") }
        guard prompt.count < cache.capacity else {
            throw LowBitError.invalidArgument("prompt", "\(prompt.count) tokens do not fit the context of \(cache.capacity)")
        }
        // Reuse the cached prefix; always recompute at least the last prompt token for its logits.
        var shared = 0
        while shared < min(history.count, prompt.count - 1) && history[shared] == prompt[shared] { shared += 1 }
        cache.truncate(to: shared)
        history.removeLast(history.count - shared)
        var sampler = Sampler(sampling)
        var detok = StreamingDetokenizer(tokenizer: loaded.tokenizer)

        let t0 = monotonicSeconds()
        let fresh = Array(prompt[shared...])
        var logits = try loaded.model.forward(fresh, cache: cache, logits: .last)
        history.append(contentsOf: fresh)
        stats.promptTokens += fresh.count
        stats.promptSeconds += monotonicSeconds() - t0

        let t1 = monotonicSeconds()
        var generated: [Int] = []
        while generated.count < maxTokens {
            let token = sampler.sample(logits[...])
            if stopTokens.contains(token) { break }
            generated.append(token)
            onText(detok.append(token))
            if cache.count >= cache.capacity || generated.count >= maxTokens { break }
            logits = try loaded.model.forward([token], cache: cache, logits: .last)
            history.append(token)
        }
        stats.generatedTokens += generated.count
        stats.generationSeconds += monotonicSeconds() - t1
        return generated
    }
}
