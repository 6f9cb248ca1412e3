import LowBitCore

/// Text ↔ token ids. Implementations: `ByteLevelBPETokenizer` (GPT-2 family: SmolLM2, Llama 3, Qwen 2) and
/// `SentencePieceBPETokenizer` (Llama 2, Gemma: "▁" for spaces, byte fallback).
public protocol Tokenizer: Sendable {
    var vocabularySize: Int { get }
    var bosToken: Int? { get }
    var eosToken: Int? { get }
    /// Whether prompts start with BOS (GGUF tokenizer.ggml.add_bos_token).
    var addsBOS: Bool { get }
    /// Ids of control tokens (`<|im_end|>`, `<s>`, …), which are never produced from plain text when
    /// `parseSpecial` is false.
    var specialTokens: Set<Int> { get }
    /// Token ids for `text`; with `parseSpecial` the special tokens' texts become their ids. Never adds BOS.
    func encode(_ text: String, parseSpecial: Bool) -> [Int]
    /// The bytes the ids stand for (special tokens as their text). May end inside a UTF-8 sequence.
    func decodeBytes(_ ids: [Int]) -> [UInt8]
    /// The id of a token's exact text, if it is in the vocabulary.
    func tokenId(_ text: String) -> Int?
}

extension Tokenizer {
    public func encode(_ text: String) -> [Int] { encode(text, parseSpecial: true) }

    public func decode(_ ids: [Int]) -> String { String(decoding: decodeBytes(ids), as: UTF8.self) }
}

/// Splits text around special-token strings (longest match first), so the rest can be pre-tokenized.
struct SpecialTokenSplitter: Sendable {
    enum Segment: Equatable {
        case text(String)
        case special(Int)
    }

    /// Specials grouped by their first UTF-8 byte, longest first.
    private let byFirstByte: [UInt8: [([UInt8], Int)]]

    init(specials: [(String, Int)]) {
        var table: [UInt8: [([UInt8], Int)]] = [:]
        for (text, id) in specials where !text.isEmpty {
            let bytes = Array(text.utf8)
            table[bytes[0], default: []].append((bytes, id))
        }
        for key in table.keys { table[key]!.sort { $0.0.count > $1.0.count } }
        byFirstByte = table
    }

    func split(_ text: String) -> [Segment] {
        if byFirstByte.isEmpty { return [.text(text)] }
        let bytes = Array(text.utf8)
        var segments: [Segment] = []
        var plainStart = 0
        var i = 0
        while i < bytes.count {
            if let candidates = byFirstByte[bytes[i]],
               let hit = candidates.first(where: { c in
                   i + c.0.count <= bytes.count && bytes[i..<(i + c.0.count)].elementsEqual(c.0)
               }) {
                if plainStart < i {
                    segments.append(.text(String(decoding: bytes[plainStart..<i], as: UTF8.self)))
                }
                segments.append(.special(hit.1))
                i += hit.0.count
                plainStart = i
            } else {
                i += 1
            }
        }
        if plainStart < bytes.count {
            segments.append(.text(String(decoding: bytes[plainStart...], as: UTF8.self)))
        }
        return segments
    }
}
