import LowBitCore

/// DEFLATE (RFC 1951) and zlib (RFC 1950) decompression: stored, fixed-Huffman and dynamic-Huffman blocks.
///
/// Used for ZIP members (wheels) and R lazy-load databases. Everything read from the stream is checked:
/// a corrupt or truncated stream throws `LowBitError.invalidFile(name, …)`; it cannot crash, loop forever
/// or allocate more than `maxOutputSize` bytes of output (every block consumes input, so work is bounded
/// by the input size and the output limit).
public enum Inflate {
    /// Decompresses a raw DEFLATE stream starting at `input[0]`.
    /// - Parameters:
    ///   - expectedSize: when known (ZIP, R records), the output must be exactly this long; the buffer is
    ///     allocated once at that size.
    ///   - maxOutputSize: hard limit on the output; larger output is an error.
    ///   - name: what the stream is (a file, a member), for error messages.
    /// - Returns: the output and the number of input bytes the stream occupied (rounded up to a byte).
    public static func inflate(_ input: UnsafeRawBufferPointer, expectedSize: Int? = nil,
                               maxOutputSize: Int, name: String) throws -> (output: [UInt8], consumed: Int) {
        if let expected = expectedSize {
            guard expected >= 0, expected <= maxOutputSize else {
                throw LowBitError.invalidFile(name, "announced size \(expected) B is over the limit of \(maxOutputSize) B")
            }
            var consumed = 0
            let output = try [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
                var decoder = InflateDecoder(input: input, output: buffer.baseAddress, capacity: expected,
                                             growable: false, maxOutput: expected, name: name)
                defer { decoder.releaseTables() }
                try decoder.run()
                if decoder.outCount != expected {
                    throw LowBitError.invalidFile(name, "decompressed to \(decoder.outCount) B, expected \(expected) B")
                }
                initialized = decoder.outCount
                consumed = decoder.consumedBytes
            }
            return (output, consumed)
        }
        let initial = min(maxOutputSize, max(1 << 16, input.count * 4))
        let start = UnsafeMutablePointer<UInt8>.allocate(capacity: max(initial, 1))
        var decoder = InflateDecoder(input: input, output: start, capacity: initial, growable: true,
                                     maxOutput: maxOutputSize, name: name)
        defer {
            decoder.releaseTables()
            decoder.out.deallocate()
        }
        try decoder.run()
        let output = [UInt8](UnsafeBufferPointer(start: decoder.out, count: decoder.outCount))
        return (output, decoder.consumedBytes)
    }

    /// Decompresses a zlib stream (2-byte header, DEFLATE data, big-endian Adler-32 of the output, which is checked).
    /// Returns the output and the number of input bytes the whole zlib stream occupied.
    public static func zlibDecompress(_ input: UnsafeRawBufferPointer, expectedSize: Int? = nil,
                                      maxOutputSize: Int, name: String) throws -> (output: [UInt8], consumed: Int) {
        guard input.count >= 2 else { throw LowBitError.invalidFile(name, "zlib stream truncated in its header") }
        let cmf = input[0], flg = input[1]
        guard cmf & 0x0F == 8 else {
            throw LowBitError.invalidFile(name, "not a zlib stream (compression method \(cmf & 0x0F), expected 8 = deflate)")
        }
        guard cmf >> 4 <= 7 else { throw LowBitError.invalidFile(name, "zlib window size field \(cmf >> 4) is over 7") }
        guard (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 else {
            throw LowBitError.invalidFile(name, "zlib header check bits are wrong (not a zlib stream?)")
        }
        guard flg & 0x20 == 0 else { throw LowBitError.unsupported("\(name): zlib stream needs a preset dictionary") }
        let body = UnsafeRawBufferPointer(rebasing: input[2...])
        let (output, used) = try inflate(body, expectedSize: expectedSize, maxOutputSize: maxOutputSize, name: name)
        let trailer = 2 + used
        guard trailer + 4 <= input.count else {
            throw LowBitError.invalidFile(name, "zlib stream truncated before its Adler-32 checksum")
        }
        let stored = UInt32(input[trailer]) << 24 | UInt32(input[trailer + 1]) << 16
            | UInt32(input[trailer + 2]) << 8 | UInt32(input[trailer + 3])
        let actual = output.withUnsafeBytes { Adler32.checksum($0) }
        guard stored == actual else {
            throw LowBitError.invalidFile(name, "zlib Adler-32 mismatch (stored \(hexChecksum(stored)), computed \(hexChecksum(actual))): corrupt data")
        }
        return (output, trailer + 4)
    }

    public static func zlibDecompress(_ input: [UInt8], expectedSize: Int? = nil, maxOutputSize: Int,
                                      name: String) throws -> [UInt8] {
        try input.withUnsafeBytes {
            try zlibDecompress($0, expectedSize: expectedSize, maxOutputSize: maxOutputSize, name: name).output
        }
    }

    public static func inflate(_ input: [UInt8], expectedSize: Int? = nil, maxOutputSize: Int,
                               name: String) throws -> [UInt8] {
        try input.withUnsafeBytes {
            try inflate($0, expectedSize: expectedSize, maxOutputSize: maxOutputSize, name: name).output
        }
    }
}

func hexChecksum(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

/// Adler-32 (RFC 1950 §8.2), with the modulo deferred over runs of 5552 bytes (the longest run for which
/// the sums cannot overflow 32 bits).
public enum Adler32 {
    public static func checksum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 1) -> UInt32 {
        var a = initial & 0xFFFF, b = initial >> 16
        guard let base = bytes.baseAddress else { return initial }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var index = 0
        let count = bytes.count
        while index < count {
            let end = min(count, index + 5552)
            while index < end {
                a &+= UInt32(p[index]); b &+= a
                index &+= 1
            }
            a %= 65521; b %= 65521
        }
        return b << 16 | a
    }
}

// MARK: - Decoder

/// Huffman lookup tables (two levels), as UInt32 entries:
/// - leaf: `symbol << 8 | codeLength` (codeLength 1…15, bit 7 clear);
/// - link to a second-level table: `start << 8 | 0x80 | extraBits` (index with the next `extraBits` bits);
/// - 0: no code has these bits (possible only in incomplete codes): decoding it is an error.
private let litPrimaryBits = 10
private let distPrimaryBits = 8
private let clenPrimaryBits = 7
// Capacities: primary table + at most one subtable of 2^(15 - primary) entries per symbol with a long code.
private let litTableCapacity = (1 << litPrimaryBits) + 288 << (15 - litPrimaryBits)
private let distTableCapacity = (1 << distPrimaryBits) + 32 << (15 - distPrimaryBits)
private let clenTableCapacity = 1 << clenPrimaryBits

private let lengthBase: [UInt16] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83,
                                    99, 115, 131, 163, 195, 227, 258]
private let lengthExtra: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
private let distBase: [UInt16] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025,
                                  1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
private let distExtra: [UInt8] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11,
                                  12, 12, 13, 13]
/// Order in which the code-length code lengths are stored (RFC 1951 §3.2.7).
private let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

private struct InflateDecoder {
    let input: UnsafePointer<UInt8>
    let inputCount: Int
    var position = 0
    /// Bits not yet consumed, least significant first; `bitCount` of them are valid. Bits above `bitCount`
    /// may hold the following input bytes (the fast refill loads 8 bytes at once), never anything else.
    var bitBuffer: UInt64 = 0
    var bitCount = 0

    var out: UnsafeMutablePointer<UInt8>
    var outCapacity: Int
    var outCount = 0
    let growable: Bool
    let maxOutput: Int
    let name: String

    let litTable = UnsafeMutablePointer<UInt32>.allocate(capacity: litTableCapacity)
    let distTable = UnsafeMutablePointer<UInt32>.allocate(capacity: distTableCapacity)
    let clenTable = UnsafeMutablePointer<UInt32>.allocate(capacity: clenTableCapacity)
    let lengths = UnsafeMutablePointer<UInt8>.allocate(capacity: 288 + 32)

    init(input: UnsafeRawBufferPointer, output: UnsafeMutablePointer<UInt8>?, capacity: Int, growable: Bool,
         maxOutput: Int, name: String) {
        // An empty buffer may have no base address; point at a valid dummy so the pointer is never nil.
        self.input = input.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyInput
        self.inputCount = input.count
        self.out = output ?? UnsafeMutablePointer(mutating: emptyInput)
        self.outCapacity = output == nil ? 0 : capacity
        self.growable = growable
        self.maxOutput = maxOutput
        self.name = name
    }

    func releaseTables() {
        litTable.deallocate(); distTable.deallocate(); clenTable.deallocate(); lengths.deallocate()
    }

    /// Input bytes used so far, with the partial byte of the current bit position counted.
    var consumedBytes: Int { position - (bitCount >> 3) }

    func corrupt(_ reason: String) -> LowBitError {
        LowBitError.invalidFile(name, "corrupt deflate data: \(reason)")
    }

    // MARK: Bits

    // @_transparent (not just @inline(__always)) so the hot helpers are inlined in debug builds too: tests and
    // CI's `lowbit fetch` inflate the 98 MB model with a debug build.
    @_transparent
    mutating func refill() {
        if position &+ 8 <= inputCount {
            // Load 8 bytes; keep whole bytes up to 56..63 valid bits (the rest are the next bytes again).
            var word = UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self)
            #if _endian(big)
            word = word.byteSwapped
            #endif
            bitBuffer |= word &<< UInt64(bitCount)
            position &+= (63 &- bitCount) &>> 3
            bitCount |= 56
        } else {
            while bitCount <= 56 && position < inputCount {
                bitBuffer |= UInt64(input[position]) &<< UInt64(bitCount)
                position &+= 1
                bitCount &+= 8
            }
        }
    }

    @_transparent
    mutating func bits(_ n: Int) throws -> Int {
        if bitCount < n {
            refill()
            if bitCount < n { throw corrupt("stream ends too early (truncated)") }
        }
        let value = Int(truncatingIfNeeded: bitBuffer & ((1 &<< UInt64(n)) &- 1))
        bitBuffer &>>= UInt64(n)
        bitCount &-= n
        return value
    }

    @_transparent
    mutating func decode(_ table: UnsafeMutablePointer<UInt32>, primaryBits: Int) throws -> Int {
        if bitCount < 15 { refill() }
        var entry = table[Int(truncatingIfNeeded: bitBuffer & ((1 &<< UInt64(primaryBits)) &- 1))]
        if entry & 0x80 != 0 {
            let extra = UInt64(entry & 0x0F)
            let index = Int(truncatingIfNeeded: (bitBuffer &>> UInt64(primaryBits)) & ((1 &<< extra) &- 1))
            entry = table[Int(entry &>> 8) &+ index]
        }
        let length = Int(entry & 0x0F)
        if length == 0 { throw corrupt("invalid Huffman code") }
        if length > bitCount { throw corrupt("stream ends too early (truncated)") }
        bitBuffer &>>= UInt64(length)
        bitCount &-= length
        return Int(entry &>> 8)
    }

    // MARK: Blocks

    mutating func run() throws {
        var isFinal = false
        while !isFinal {
            isFinal = try bits(1) == 1
            switch try bits(2) {
            case 0: try storedBlock()
            case 1:
                buildFixedTables()
                try huffmanBlock()
            case 2:
                try readDynamicTables()
                try huffmanBlock()
            default: throw corrupt("block type 3 is reserved")
            }
        }
        // The stream ends at a byte boundary for whatever follows (zlib trailer, next record).
        let partial = bitCount & 7
        bitBuffer &>>= UInt64(partial)
        bitCount -= partial
    }

    mutating func reserve(_ count: Int) throws {
        let needed = outCount + count
        if needed <= outCapacity { return }
        if needed > maxOutput || !growable {
            throw LowBitError.invalidFile(name, "decompressed data is larger than the limit of \(maxOutput) B")
        }
        let newCapacity = min(maxOutput, max(needed, outCapacity * 2))
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: out, count: outCount)
        out.deallocate()
        out = grown
        outCapacity = newCapacity
    }

    mutating func storedBlock() throws {
        // Drop the rest of the current byte, then give back the whole bytes the bit buffer holds.
        let partial = bitCount & 7
        bitBuffer &>>= UInt64(partial)
        bitCount -= partial
        position -= bitCount >> 3
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= inputCount else { throw corrupt("stored block header truncated") }
        let len = Int(input[position]) | Int(input[position + 1]) << 8
        let nlen = Int(input[position + 2]) | Int(input[position + 3]) << 8
        position += 4
        guard len == nlen ^ 0xFFFF else { throw corrupt("stored block length \(len) does not match its complement") }
        guard position + len <= inputCount else { throw corrupt("stored block runs past the end of the input") }
        try reserve(len)
        (out + outCount).update(from: input + position, count: len)
        outCount += len
        position += len
    }

    mutating func buildFixedTables() {
        for i in 0..<144 { lengths[i] = 8 }
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        for i in 280..<288 { lengths[i] = 8 }
        for i in 0..<30 { lengths[288 + i] = 5 }
        // The fixed codes are complete and valid: building them cannot fail.
        try! buildTable(lengths: lengths, count: 288, table: litTable, primaryBits: litPrimaryBits, what: "")
        try! buildTable(lengths: lengths + 288, count: 30, table: distTable, primaryBits: distPrimaryBits, what: "")
    }

    mutating func readDynamicTables() throws {
        let litCount = try bits(5) + 257
        let distCount = try bits(5) + 1
        let clenCount = try bits(4) + 4
        guard litCount <= 286 else { throw corrupt("\(litCount) literal/length codes (at most 286)") }
        guard distCount <= 30 else { throw corrupt("\(distCount) distance codes (at most 30)") }
        for i in 0..<19 { lengths[i] = 0 }
        for i in 0..<clenCount { lengths[codeLengthOrder[i]] = UInt8(try bits(3)) }
        try buildTable(lengths: lengths, count: 19, table: clenTable, primaryBits: clenPrimaryBits,
                       what: "code-length code")

        let total = litCount + distCount
        var index = 0
        while index < total {
            let symbol = try decode(clenTable, primaryBits: clenPrimaryBits)
            if symbol < 16 {
                lengths[index] = UInt8(symbol)
                index += 1
                continue
            }
            var repeatValue: UInt8 = 0
            let repeatCount: Int
            switch symbol {
            case 16:
                guard index > 0 else { throw corrupt("length repeat code with no previous length") }
                repeatValue = lengths[index - 1]
                repeatCount = 3 + (try bits(2))
            case 17: repeatCount = 3 + (try bits(3))
            default: repeatCount = 11 + (try bits(7))
            }
            guard index + repeatCount <= total else { throw corrupt("code lengths overrun the table") }
            for i in 0..<repeatCount { lengths[index + i] = repeatValue }
            index += repeatCount
        }
        guard lengths[256] != 0 else { throw corrupt("no code for end-of-block") }
        // Distance lengths follow the literal/length ones; move them to their own slot (288…). The ranges
        // can overlap with the destination higher: copy from the end.
        for i in (0..<distCount).reversed() { lengths[288 + i] = lengths[litCount + i] }
        for i in litCount..<288 { lengths[i] = 0 }
        try buildTable(lengths: lengths, count: litCount, table: litTable, primaryBits: litPrimaryBits,
                       what: "literal/length code")
        try buildTable(lengths: lengths + 288, count: distCount, table: distTable, primaryBits: distPrimaryBits,
                       what: "distance code")
    }

    /// Canonical Huffman (RFC 1951 §3.2.2) → two-level lookup table. Over-subscribed code lengths are an
    /// error; incomplete codes are accepted (their unused entries stay 0 and are an error when met).
    func buildTable(lengths: UnsafeMutablePointer<UInt8>, count: Int, table: UnsafeMutablePointer<UInt32>,
                    primaryBits: Int, what: String) throws {
        var lengthCounts = [Int](repeating: 0, count: 16)
        for s in 0..<count { lengthCounts[Int(lengths[s])] += 1 }
        lengthCounts[0] = 0
        var left = 1
        for len in 1...15 {
            left = left * 2 - lengthCounts[len]
            if left < 0 { throw corrupt("over-subscribed \(what) lengths") }
        }
        var nextCode = [Int](repeating: 0, count: 16)
        var code = 0
        var maxLength = 0
        for len in 1...15 {
            code = (code + lengthCounts[len - 1]) << 1
            nextCode[len] = code
            if lengthCounts[len] > 0 { maxLength = len }
        }
        let primarySize = 1 << primaryBits
        table.update(repeating: 0, count: primarySize)
        var nextSubtable = primarySize
        let subBits = max(0, maxLength - primaryBits)
        for symbol in 0..<count {
            let len = Int(lengths[symbol])
            if len == 0 { continue }
            let canonical = nextCode[len]
            nextCode[len] += 1
            // Codes are sent most significant bit first but read least significant first: reverse them.
            var reversed = 0
            for bit in 0..<len where canonical & (1 << bit) != 0 { reversed |= 1 << (len - 1 - bit) }
            let leaf = UInt32(symbol) << 8 | UInt32(len)
            if len <= primaryBits {
                var i = reversed
                while i < primarySize { table[i] = leaf; i += 1 << len }
            } else {
                let prefix = reversed & (primarySize - 1)
                if table[prefix] & 0x80 == 0 {
                    table[prefix] = UInt32(nextSubtable) << 8 | 0x80 | UInt32(subBits)
                    (table + nextSubtable).update(repeating: 0, count: 1 << subBits)
                    nextSubtable += 1 << subBits
                }
                let start = Int(table[prefix] >> 8)
                var i = reversed >> primaryBits
                while i < 1 << subBits { table[start + i] = leaf; i += 1 << (len - primaryBits) }
            }
        }
    }

    mutating func huffmanBlock() throws {
        try lengthBase.withUnsafeBufferPointer { lengthBase in
        try lengthExtra.withUnsafeBufferPointer { lengthExtra in
        try distBase.withUnsafeBufferPointer { distBase in
        try distExtra.withUnsafeBufferPointer { distExtra in
            while true {
                let symbol = try decode(litTable, primaryBits: litPrimaryBits)
                if symbol < 256 {
                    if outCount == outCapacity { try reserve(1) }
                    out[outCount] = UInt8(truncatingIfNeeded: symbol)
                    outCount &+= 1
                    continue
                }
                if symbol == 256 { return }
                let lengthIndex = symbol &- 257
                guard lengthIndex < 29 else { throw corrupt("invalid length symbol \(symbol)") }
                let length = Int(lengthBase[lengthIndex]) &+ (try bits(Int(lengthExtra[lengthIndex])))
                let distSymbol = try decode(distTable, primaryBits: distPrimaryBits)
                guard distSymbol < 30 else { throw corrupt("invalid distance symbol \(distSymbol)") }
                let distance = Int(distBase[distSymbol]) &+ (try bits(Int(distExtra[distSymbol])))
                guard distance <= outCount else {
                    throw corrupt("distance \(distance) reaches before the start of the output")
                }
                if outCount &+ length > outCapacity { try reserve(length) }
                let destination = out + outCount
                let source = destination - distance
                if distance >= length {
                    destination.update(from: source, count: length)
                } else {
                    // Overlapping copy (a run with period `distance`): copy in non-overlapping pieces that
                    // double in size, each a whole number of periods after the previous one.
                    var copied = 0
                    while copied < length {
                        let n = min(copied &+ distance, length &- copied)
                        (destination + copied).update(from: source, count: n)
                        copied &+= n
                    }
                }
                outCount &+= length
            }
        }
        }
        }
        }
    }
}

// Never written (capacity 0 when used as output); immutable after initialization, so sharing it is safe.
nonisolated(unsafe) private let emptyInput: UnsafePointer<UInt8> = {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 8)
    p.initialize(repeating: 0, count: 8)
    return UnsafePointer(p)
}()
