import Foundation
import LowBitCore

public enum TokenizerLoader {
    /// The tokenizer embedded in GGUF metadata (`tokenizer.ggml.*`).
    public static func fromGGUF(_ md: ModelMetadata, source: String) throws -> any Tokenizer {
        guard let model = md.string("tokenizer.ggml.model") else {
            throw LowBitError.invalidFile(source, "metadata tokenizer.ggml.model is missing (no embedded tokenizer)")
        }
        guard let tokens = md.strings("tokenizer.ggml.tokens"), !tokens.isEmpty else {
            throw LowBitError.invalidFile(source, "metadata tokenizer.ggml.tokens is missing or empty")
        }
        let types = md.ints("tokenizer.ggml.token_type") ?? []
        if !types.isEmpty && types.count != tokens.count {
            throw LowBitError.invalidFile(source, "tokenizer has \(tokens.count) tokens but \(types.count) token types")
        }
        // Token types (llama.cpp): 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
        let specials = Set(types.indices.filter { types[$0] == 3 || types[$0] == 4 })
        func id(_ key: String) throws -> Int? {
            guard let v = md.int(key) else { return nil }
            guard v >= 0 && v < tokens.count else {
                throw LowBitError.invalidFile(source, "\(key) = \(v) is outside the vocabulary of \(tokens.count)")
            }
            return v
        }
        let bos = try id("tokenizer.ggml.bos_token_id"), eos = try id("tokenizer.ggml.eos_token_id")
        switch model {
        case "gpt2":
            let preName = md.string("tokenizer.ggml.pre") ?? "gpt2"
            guard let pre = PreTokenizer(ggufName: preName) else {
                throw LowBitError.unsupported("\(source): pre-tokenizer '\(preName)' is not supported (supported: gpt2, smollm, llama-bpe, qwen2)")
            }
            guard let mergeTexts = md.strings("tokenizer.ggml.merges") else {
                throw LowBitError.invalidFile(source, "metadata tokenizer.ggml.merges is missing")
            }
            let merges = try mergeTexts.enumerated().map { i, m -> (String, String) in
                guard let space = m.firstIndex(of: " ") else {
                    throw LowBitError.invalidFile(source, "tokenizer merge #\(i) '\(m)' has no space")
                }
                return (String(m[..<space]), String(m[m.index(after: space)...]))
            }
            return try ByteLevelBPETokenizer(tokens: tokens, merges: merges, preTokenizer: pre, specials: specials,
                                             bos: bos, eos: eos, addsBOS: md.bool("tokenizer.ggml.add_bos_token") ?? false,
                                             source: source)
        case "llama":
            let scores = md.floats("tokenizer.ggml.scores") ?? [Float](repeating: 0, count: tokens.count)
            let bytes = Set(types.indices.filter { types[$0] == 6 })
            return try SentencePieceBPETokenizer(
                tokens: tokens, scores: scores, specials: specials, byteTokenIds: bytes, bos: bos, eos: eos,
                unknown: try id("tokenizer.ggml.unknown_token_id") ?? 0,
                addsBOS: md.bool("tokenizer.ggml.add_bos_token") ?? true,
                addsSpacePrefix: md.bool("tokenizer.ggml.add_space_prefix") ?? true, source: source)
        default:
            throw LowBitError.unsupported("\(source): tokenizer model '\(model)' is not supported (supported: gpt2, llama)")
        }
    }

    /// A Hugging Face tokenizer.json (model type BPE), with tokenizer_config.json's bos/eos when present.
    public static func fromHuggingFace(tokenizerJSON: Data, config: Data?, source: String) throws -> any Tokenizer {
        guard let root = try? JSONSerialization.jsonObject(with: tokenizerJSON) as? [String: Any],
              let model = root["model"] as? [String: Any] else {
            throw LowBitError.invalidFile(source, "tokenizer.json is not a tokenizer object with a 'model'")
        }
        guard (model["type"] as? String ?? "BPE") == "BPE", let vocab = model["vocab"] as? [String: Any] else {
            throw LowBitError.unsupported("\(source): tokenizer.json model '\(model["type"] ?? "?")' is not supported (supported: BPE)")
        }
        var size = 0
        for (_, v) in vocab { if let i = (v as? NSNumber)?.intValue { size = max(size, i + 1) } }
        var specialsList: [(String, Int, Bool)] = []
        for case let t as [String: Any] in root["added_tokens"] as? [Any] ?? [] {
            if let content = t["content"] as? String, let id = (t["id"] as? NSNumber)?.intValue {
                specialsList.append((content, id, t["special"] as? Bool ?? false))
                size = max(size, id + 1)
            }
        }
        guard size > 0, size <= 1 << 22 else { throw LowBitError.invalidFile(source, "tokenizer.json vocabulary size \(size)") }
        var tokens = [String](repeating: "", count: size)
        for (k, v) in vocab { if let i = (v as? NSNumber)?.intValue, i >= 0 { tokens[i] = k } }
        for (content, id, _) in specialsList { tokens[id] = content }
        // Every added token is matched literally in input (HF splits on all of them).
        let specials = Set(specialsList.map(\.1))
        var merges: [(String, String)] = []
        for (i, m) in (model["merges"] as? [Any] ?? []).enumerated() {
            if let s = m as? String, let space = s.firstIndex(of: " ") {
                merges.append((String(s[..<space]), String(s[s.index(after: space)...])))
            } else if let pair = m as? [String], pair.count == 2 {
                merges.append((pair[0], pair[1]))
            } else {
                throw LowBitError.invalidFile(source, "tokenizer.json merge #\(i) is neither 'a b' nor [a, b]")
            }
        }
        var bos: Int?, eos: Int?, addsBOS = false
        if let config, let c = try? JSONSerialization.jsonObject(with: config) as? [String: Any] {
            func tokenText(_ v: Any?) -> String? { (v as? String) ?? ((v as? [String: Any])?["content"] as? String) }
            let index = Dictionary(tokens.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            bos = tokenText(c["bos_token"]).flatMap { index[$0] }
            eos = tokenText(c["eos_token"]).flatMap { index[$0] }
            addsBOS = c["add_bos_token"] as? Bool ?? false
        }
        let description = String(describing: root["pre_tokenizer"] ?? "")
        if model["byte_fallback"] as? Bool == true || description.contains("Metaspace") || description.contains("\u{2581}")
            || String(describing: root["normalizer"] ?? "").contains("\u{2581}") {
            // SentencePiece-style: scores from merge order (earlier merge = higher score), bytes as <0xXX>.
            var scores = [Float](repeating: -1e9, count: size)
            let index = Dictionary(tokens.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            for (rank, (a, b)) in merges.enumerated() {
                if let id = index[a + b], scores[id] == -1e9 { scores[id] = -Float(rank) }
            }
            let bytes = Set(tokens.indices.filter { SentencePieceBPETokenizer.byteValue(tokens[$0]) != nil })
            return try SentencePieceBPETokenizer(
                tokens: tokens, scores: scores, specials: specials, byteTokenIds: bytes, bos: bos, eos: eos,
                unknown: index["<unk>"] ?? 0, addsBOS: addsBOS, addsSpacePrefix: true, source: source)
        }
        let pre: PreTokenizer
        if description.contains("Digits") && description.contains("individual_digits") {
            pre = .smollm
        } else if description.contains("\\p{N}{1,3}") {
            pre = .llama3
        } else if description.contains("(?i:'s") {
            pre = .qwen2
        } else {
            pre = .gpt2
        }
        return try ByteLevelBPETokenizer(tokens: tokens, merges: merges, preTokenizer: pre, specials: specials,
                                         bos: bos, eos: eos, addsBOS: addsBOS, source: source)
    }
}
