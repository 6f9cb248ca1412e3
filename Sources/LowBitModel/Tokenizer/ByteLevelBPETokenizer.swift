import Foundation
import LowBitCore

/// GPT-2 style byte-level BPE: text → pre-tokenizer pieces → UTF-8 bytes mapped to printable characters
/// (the GPT-2 byte↔unicode table) → repeated merging of the adjacent pair with the lowest merge rank.
public final class ByteLevelBPETokenizer: Tokenizer, @unchecked Sendable {
    // @unchecked Sendable: immutable tables, plus a piece cache guarded by a lock.
    public let tokens: [String]
    public let preTokenizer: PreTokenizer
    public let bosToken: Int?
    public let eosToken: Int?
    public let addsBOS: Bool
    public let specialTokens: Set<Int>
    let ids: [String: Int]
    /// (left id, right id) packed into one key → (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    let byteToId: [Int32]
    let tokenBytes: [[UInt8]]
    let splitter: SpecialTokenSplitter
    private let cacheLock = NSLock()
    private var cache: [String: [Int]] = [:]

    /// - specials: ids whose text is matched literally in input (control / user-defined tokens).
    public init(tokens: [String], merges: [(String, String)], preTokenizer: PreTokenizer, specials: Set<Int>,
                bos: Int?, eos: Int?, addsBOS: Bool, source: String) throws {
        self.tokens = tokens
        self.preTokenizer = preTokenizer
        self.bosToken = bos
        self.eosToken = eos
        self.addsBOS = addsBOS
        self.specialTokens = specials
        var ids: [String: Int] = [:]
        ids.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() where ids[t] == nil { ids[t] = i }
        self.ids = ids
        let encoder = ByteEncoder.byteToCharacter
        var byteToId = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            if let id = ids[String(encoder[b])] { byteToId[b] = Int32(id) }
        }
        self.byteToId = byteToId
        var table: [UInt64: (rank: Int32, id: Int32)] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (a, b)) in merges.enumerated() {
            guard let ia = ids[a], let ib = ids[b], let im = ids[a + b] else {
                throw LowBitError.invalidFile(source, "tokenizer merge #\(rank) '\(a) \(b)' names a token not in the vocabulary")
            }
            let key = UInt64(ia) << 32 | UInt64(ib)
            if table[key] == nil { table[key] = (Int32(rank), Int32(im)) }
        }
        self.merges = table
        let decoder = ByteEncoder.characterToByte
        tokenBytes = tokens.enumerated().map { i, t in
            if specials.contains(i) { return Array(t.utf8) }
            var out: [UInt8] = []
            for ch in t.unicodeScalars {
                if let b = decoder[ch] { out.append(b) } else { out.append(contentsOf: Array(String(ch).utf8)) }
            }
            return out
        }
        splitter = SpecialTokenSplitter(specials: specials.map { (tokens[$0], $0) })
    }

    public var vocabularySize: Int { tokens.count }

    public func tokenId(_ text: String) -> Int? { ids[text] }

    public func encode(_ text: String, parseSpecial: Bool) -> [Int] {
        var out: [Int] = []
        let segments = parseSpecial ? splitter.split(text) : [.text(text)]
        for segment in segments {
            switch segment {
            case .special(let id): out.append(id)
            case .text(let t):
                for piece in preTokenizer.split(t) { out.append(contentsOf: encodePiece(piece)) }
            }
        }
        return out
    }

    func encodePiece(_ piece: String) -> [Int] {
        let cacheable = piece.utf8.count <= 64
        if cacheable {
            cacheLock.lock()
            let hit = cache[piece]
            cacheLock.unlock()
            if let hit { return hit }
        }
        var symbols: [Int32] = []
        symbols.reserveCapacity(piece.utf8.count)
        for b in piece.utf8 {
            // A vocabulary without this byte's character cannot represent it: fall back to the unknown id 0.
            symbols.append(max(0, byteToId[Int(b)]))
        }
        // Merge the lowest-rank adjacent pair until none is in the merge table. Pieces are usually short (a
        // word), where the quadratic scan beats a heap; long ones (runs of spaces, unbroken text) use the heap.
        if symbols.count > 256 { symbols = mergeWithHeap(symbols) }
        while symbols.count > 1 {
            var bestRank = Int32.max, bestIndex = -1, bestId: Int32 = 0
            for i in 0..<(symbols.count - 1) {
                let key = UInt64(UInt32(symbols[i])) << 32 | UInt64(UInt32(symbols[i + 1]))
                if let m = merges[key], m.rank < bestRank {
                    bestRank = m.rank; bestIndex = i; bestId = m.id
                }
            }
            if bestIndex < 0 { break }
            symbols[bestIndex] = bestId
            symbols.remove(at: bestIndex + 1)
        }
        let result = symbols.map(Int.init)
        if cacheable {
            cacheLock.lock()
            if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
            cache[piece] = result
            cacheLock.unlock()
        }
        return result
    }

    /// The same merges in O(n log n): symbols in a linked list, candidate pairs in a heap by rank (as a
    /// negated score), validated when popped.
    func mergeWithHeap(_ initial: [Int32]) -> [Int32] {
        var symbols = initial
        let n = symbols.count
        var next = Array(1...n), prev = Array(-1..<(n - 1))
        var version = [Int](repeating: 0, count: n)
        var alive = [Bool](repeating: true, count: n)
        var heap = BigramHeap()
        func propose(_ left: Int) {
            let right = next[left]
            guard right < n else { return }
            let key = UInt64(UInt32(symbols[left])) << 32 | UInt64(UInt32(symbols[right]))
            guard let m = merges[key] else { return }
            heap.push(.init(score: -Float(m.rank), left: left, right: right, leftVersion: version[left], rightVersion: version[right]))
        }
        for i in 0..<(n - 1) { propose(i) }
        while let c = heap.pop() {
            guard alive[c.left], alive[c.right], next[c.left] == c.right,
                  version[c.left] == c.leftVersion, version[c.right] == c.rightVersion else { continue }
            let key = UInt64(UInt32(symbols[c.left])) << 32 | UInt64(UInt32(symbols[c.right]))
            symbols[c.left] = merges[key]!.id
            version[c.left] += 1
            alive[c.right] = false
            next[c.left] = next[c.right]
            if next[c.right] < n { prev[next[c.right]] = c.left }
            if prev[c.left] >= 0 { propose(prev[c.left]) }
            propose(c.left)
        }
        var out: [Int32] = []
        var i = 0
        while i < n { out.append(symbols[i]); i = next[i] }
        return out
    }

    public func decodeBytes(_ ids: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids where id >= 0 && id < tokenBytes.count { out.append(contentsOf: tokenBytes[id]) }
        return out
    }
}

/// GPT-2's reversible byte ↔ printable-character table: bytes 33–126, 161–172 and 174–255 map to themselves,
/// the other 68 to U+0100 + k in byte order.
enum ByteEncoder {
    static let byteToCharacter: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b) {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    static let characterToByte: [Unicode.Scalar: UInt8] = {
        var map: [Unicode.Scalar: UInt8] = [:]
        for (b, c) in byteToCharacter.enumerated() { map[c] = UInt8(b) }
        return map
    }()
}
