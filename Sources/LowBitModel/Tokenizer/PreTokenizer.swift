/// The regex pre-tokenizers of byte-level BPE vocabularies, written by hand over Unicode scalars (faster than
/// Regex and with no backtracking surprises). Each returns the pieces BPE then merges within.
///
///   gpt2:   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///   smollm: every \p{N} alone first, then gpt2 on the rest (llama.cpp SMOLLM / STARCODER)
///   llama3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
///           \s*[\r\n]+|\s+(?!\S)|\s+
///   qwen2:  llama3 with \p{N} (one digit) instead of \p{N}{1,3}
public enum PreTokenizer: String, Sendable, CaseIterable {
    case gpt2
    case smollm
    case llama3
    case qwen2

    /// The variant named by GGUF `tokenizer.ggml.pre`, if supported.
    public init?(ggufName: String) {
        switch ggufName {
        case "gpt2", "gpt-2", "default": self = .gpt2
        case "smollm", "starcoder", "refact", "codeshell": self = .smollm
        case "llama3", "llama-v3", "llama-bpe", "llama3-bpe", "falcon3", "smaug-bpe": self = .llama3
        case "qwen2", "qwen35", "deepseek-r1-qwen": self = .qwen2
        default: return nil
        }
    }

    public func split(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [String] = []
        func emit(_ r: Range<Int>) {
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[r])
            pieces.append(String(s))
        }
        switch self {
        case .gpt2:
            for r in PreTokenizer.gpt2Ranges(scalars, 0..<scalars.count) { emit(r) }
        case .smollm:
            var start = 0
            for i in 0..<scalars.count where scalars[i].isNumber {
                for r in PreTokenizer.gpt2Ranges(scalars, start..<i) { emit(r) }
                emit(i..<(i + 1))
                start = i + 1
            }
            for r in PreTokenizer.gpt2Ranges(scalars, start..<scalars.count) { emit(r) }
        case .llama3, .qwen2:
            for r in PreTokenizer.llama3Ranges(scalars, maxDigits: self == .llama3 ? 3 : 1) { emit(r) }
        }
        return pieces
    }

    /// Length of a contraction ('s 't 're 've 'm 'll 'd) at i, or 0.
    static func contraction(_ s: [Unicode.Scalar], _ i: Int, end: Int, caseInsensitive: Bool) -> Int {
        guard s[i] == "'", i + 1 < end else { return 0 }
        func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
            caseInsensitive && c.value >= 65 && c.value <= 90 ? Unicode.Scalar(c.value + 32)! : c
        }
        let c1 = lower(s[i + 1])
        if c1 == "s" || c1 == "t" || c1 == "m" || c1 == "d" { return 2 }
        if i + 2 < end {
            let c2 = lower(s[i + 2])
            if (c1 == "r" && c2 == "e") || (c1 == "v" && c2 == "e") || (c1 == "l" && c2 == "l") { return 3 }
        }
        return 0
    }

    static func gpt2Ranges(_ s: [Unicode.Scalar], _ range: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        let end = range.upperBound
        var i = range.lowerBound
        while i < end {
            let c = s[i]
            let n = contraction(s, i, end: end, caseInsensitive: false)
            if n > 0 { out.append(i..<(i + n)); i += n; continue }
            // " ?X+" for X = letters, numbers, or other (not space/letter/number)
            let cls = c.charClass
            if cls != .space || (c == " " && i + 1 < end && s[i + 1].charClass != .space) {
                let runClass = cls != .space ? cls : s[i + 1].charClass
                var j = cls != .space ? i + 1 : i + 2
                while j < end && s[j].charClass == runClass { j += 1 }
                out.append(i..<j)
                i = j
                continue
            }
            // whitespace: \s+(?!\S) then \s+
            var j = i
            while j < end && s[j].isWhitespaceLike { j += 1 }
            if j < end && j - i >= 2 { j -= 1 }
            out.append(i..<j)
            i = j
        }
        return out
    }

    static func llama3Ranges(_ s: [Unicode.Scalar], maxDigits: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        let end = s.count
        var i = 0
        func isNewline(_ c: Unicode.Scalar) -> Bool { c == "\r" || c == "\n" }
        while i < end {
            let c = s[i]
            let n = contraction(s, i, end: end, caseInsensitive: true)
            if n > 0 { out.append(i..<(i + n)); i += n; continue }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if c.charClass == .letter || (!isNewline(c) && c.charClass != .number && i + 1 < end && s[i + 1].charClass == .letter) {
                var j = i + 1
                while j < end && s[j].charClass == .letter { j += 1 }
                out.append(i..<j); i = j; continue
            }
            // \p{N}{1,maxDigits}
            if c.charClass == .number {
                var j = i + 1
                while j < end && j - i < maxDigits && s[j].charClass == .number { j += 1 }
                out.append(i..<j); i = j; continue
            }
            // " ?[^\s\p{L}\p{N}]+[\r\n]*"
            let lead = (c == " " && i + 1 < end && s[i + 1].charClass == .other) ? 1 : 0
            if lead == 1 || c.charClass == .other {
                var j = i + lead
                while j < end && s[j].charClass == .other { j += 1 }
                while j < end && isNewline(s[j]) { j += 1 }
                out.append(i..<j); i = j; continue
            }
            // whitespace run i..<j
            var j = i
            while j < end && s[j].isWhitespaceLike { j += 1 }
            // \s*[\r\n]+ : up to the last newline of the run
            if let last = (i..<j).last(where: { isNewline(s[$0]) }) {
                out.append(i..<(last + 1)); i = last + 1; continue
            }
            // \s+(?!\S) | \s+
            if j < end && j - i >= 2 { j -= 1 }
            out.append(i..<j)
            i = j
        }
        return out
    }
}

enum CharClass {
    case letter, number, space, other
}

extension Unicode.Scalar {
    /// \s in the regex flavours above: Unicode White_Space.
    var isWhitespaceLike: Bool { charClass == .space }

    var isNumber: Bool {
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }

    var charClass: CharClass {
        if value < 128 {
            // ASCII fast path
            let v = value
            if (v >= 65 && v <= 90) || (v >= 97 && v <= 122) { return .letter }
            if v >= 48 && v <= 57 { return .number }
            if v == 32 || (v >= 9 && v <= 13) { return .space }
            return .other
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return properties.isWhitespace ? .space : .other
        }
    }
}
