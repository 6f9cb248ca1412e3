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
        // Symbols in a linked list; candidate merges in a max-heap by (score, then leftmost), validated when
        // popped (llama.cpp's SPM tokenizer): O(n log n), so whole documents encode in one pass.
        var texts = normalized.unicodeScalars.map { String($0) }
        let n = texts.count
        guard n > 0 else { return [] }
        var next = Array(1...n), prev = Array(-1..<(n - 1))
        var version = [Int](repeating: 0, count: n)
        var alive = [Bool](repeating: true, count: n)
        var heap = BigramHeap()
        func propose(_ left: Int) {
            let right = next[left]
            guard right < n, let id = ids[texts[left] + texts[right]] else { return }
            heap.push(.init(score: scores[id], left: left, right: right, leftVersion: version[left], rightVersion: version[right]))
        }
        for i in 0..<(n - 1) { propose(i) }
        while let c = heap.pop() {
            guard alive[c.left], alive[c.right], next[c.left] == c.right,
                  version[c.left] == c.leftVersion, version[c.right] == c.rightVersion else { continue }
            texts[c.left] += texts[c.right]
            version[c.left] += 1
            alive[c.right] = false
            next[c.left] = next[c.right]
            if next[c.right] < n { prev[next[c.right]] = c.left }
            if prev[c.left] >= 0 { propose(prev[c.left]) }
            propose(c.left)
        }
        var out: [Int] = []
        var i = 0
        while i < n {
            if let id = ids[texts[i]] {
                out.append(id)
            } else {
                for b in texts[i].utf8 { out.append(byteTokens[Int(b)] >= 0 ? byteTokens[Int(b)] : unknownToken) }
            }
            i = next[i]
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

/// A binary max-heap of merge candidates: higher score first, then the leftmost.
struct BigramHeap {
    struct Candidate {
        let score: Float
        let left: Int
        let right: Int
        let leftVersion: Int
        let rightVersion: Int

        func before(_ other: Candidate) -> Bool {
            score > other.score || (score == other.score && left < other.left)
        }
    }

    private var items: [Candidate] = []

    mutating func push(_ c: Candidate) {
        items.append(c)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].before(items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Candidate? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < items.count && items[l].before(items[best]) { best = l }
                if r < items.count && items[r].before(items[best]) { best = r }
                if best == i { break }
                items.swapAt(i, best)
                i = best
            }
        }
        return top
    }
}
