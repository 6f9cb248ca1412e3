import LowBitCore

/// SentencePiece-style BPE (llama.cpp "SPM": Llama 2, Gemma): spaces become "▁", an optional "▁" is put in
/// front of the text, then the adjacent pair whose concatenation is the highest-scoring vocabulary entry is
/// merged until none is; characters missing from the vocabulary fall back to `<0xXX>` byte tokens.
public final class SentencePieceBPETokenizer: Tokenizer, @unchecked Sendable {
    // @unchecked Sendable: immutable after init.
    public let tokens: [String]
    public let scores: [Float]
    public let bosToken: Int?
    public let eosToken: Int?
    public let addsBOS: Bool
    public let addsSpacePrefix: Bool
    public let specialTokens: Set<Int>
    let unknownToken: Int
    let ids: [String: Int]
    let byteTokens: [Int]  // byte → id of <0xXX>, or -1
    let tokenBytes: [[UInt8]]
    let splitter: SpecialTokenSplitter

    /// - byteTokenIds: ids that stand for one raw byte (GGUF token type 6), named `<0xXX>`.
    public init(tokens: [String], scores: [Float], specials: Set<Int>, byteTokenIds: Set<Int>, bos: Int?, eos: Int?,
                unknown: Int, addsBOS: Bool, addsSpacePrefix: Bool, source: String) throws {
        guard scores.count == tokens.count else {
            throw LowBitError.invalidFile(source, "tokenizer has \(tokens.count) tokens but \(scores.count) scores")
        }
        self.tokens = tokens
        self.scores = scores
        self.bosToken = bos
        self.eosToken = eos
        self.addsBOS = addsBOS
        self.addsSpacePrefix = addsSpacePrefix
        self.specialTokens = specials
        self.unknownToken = unknown
        var ids: [String: Int] = [:]
        for (i, t) in tokens.enumerated() where ids[t] == nil && !byteTokenIds.contains(i) { ids[t] = i }
        self.ids = ids
        var byteTokens = [Int](repeating: -1, count: 256)
        var tokenBytes: [[UInt8]] = []
        tokenBytes.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() {
            if byteTokenIds.contains(i), let b = SentencePieceBPETokenizer.byteValue(t) {
                byteTokens[Int(b)] = i
                tokenBytes.append([b])
            } else if specials.contains(i) {
                tokenBytes.append(Array(t.utf8))
            } else {
                tokenBytes.append(Array(t.replacingOccurrences(of: "\u{2581}", with: " ").utf8))
            }
        }
        self.byteTokens = byteTokens
        self.tokenBytes = tokenBytes
        splitter = SpecialTokenSplitter(specials: specials.map { (tokens[$0], $0) })
    }

    static func byteValue(_ token: String) -> UInt8? {
        guard token.count == 6, token.hasPrefix("<0x"), token.hasSuffix(">") else { return nil }
        return UInt8(token.dropFirst(3).prefix(2), radix: 16)
    }

    public var vocabularySize: Int { tokens.count }
    public func tokenId(_ text: String) -> Int? { ids[text] }

    public func encode(_ text: String, parseSpecial: Bool) -> [Int] {
        var out: [Int] = []
        let segments = parseSpecial ? splitter.split(text) : [.text(text)]
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .special(let id): out.append(id)
            case .text(let t):
                out.append(contentsOf: encodePlain(index == 0 && addsSpacePrefix ? " " + t : t))
            }
        }
        return out
    }

    func encodePlain(_ text: String) -> [Int] {
        let normalized = text.replacingOccurrences(of: " ", with: "\u{2581}")
        var symbols = normalized.unicodeScalars.map { String($0) }
        while symbols.count > 1 {
            var bestScore = -Float.infinity, bestIndex = -1
            for i in 0..<(symbols.count - 1) {
                if let id = ids[symbols[i] + symbols[i + 1]], scores[id] > bestScore {
                    bestScore = scores[id]; bestIndex = i
                }
            }
            if bestIndex < 0 { break }
            symbols[bestIndex] += symbols[bestIndex + 1]
            symbols.remove(at: bestIndex + 1)
        }
        var out: [Int] = []
        for s in symbols {
            if let id = ids[s] {
                out.append(id)
            } else {
                for b in s.utf8 { out.append(byteTokens[Int(b)] >= 0 ? byteTokens[Int(b)] : unknownToken) }
            }
        }
        return out
    }

    public func decodeBytes(_ ids: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids where id >= 0 && id < tokenBytes.count { out.append(contentsOf: tokenBytes[id]) }
        // The space prefix the encoder added is not part of the text.
        if addsSpacePrefix, let first = ids.first, !specialTokens.contains(first), out.first == 0x20 {
            out.removeFirst()
        }
        return out
    }
}
