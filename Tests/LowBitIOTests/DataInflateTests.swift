import Foundation
import Testing
import LowBitCore
@testable import LowBitIO

extension DataTestData {
    static func base64(_ text: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: text, options: .ignoreUnknownCharacters)!)
    }
}

/// Minimal DEFLATE bit writer for hand-made (mostly broken) streams: fields LSB first, Huffman codes MSB first.
struct DeflateBitWriter {
    var bytes = [UInt8]()
    var bitCount = 0
    mutating func put(_ value: Int, _ count: Int) {
        for i in 0..<count {
            if bitCount % 8 == 0 { bytes.append(0) }
            if (value >> i) & 1 != 0 { bytes[bytes.count - 1] |= UInt8(1 << (bitCount % 8)) }
            bitCount += 1
        }
    }
    /// A Huffman code of `length` bits, most significant bit first.
    mutating func putCode(_ code: Int, _ length: Int) {
        for i in stride(from: length - 1, through: 0, by: -1) { put((code >> i) & 1, 1) }
    }
    /// Fixed-Huffman literal/length symbol (RFC 1951 §3.2.6).
    mutating func putFixedSymbol(_ symbol: Int) {
        switch symbol {
        case 0..<144: putCode(0x30 + symbol, 8)
        case 144..<256: putCode(0x190 + symbol - 144, 9)
        case 256..<280: putCode(symbol - 256, 7)
        default: putCode(0xC0 + symbol - 280, 8)
        }
    }
}

@Suite("Data: inflate and zlib")
struct DataInflateTests {
    @Test(arguments: zlibVectors.map(\.name))
    func pythonZlibVectors(name: String) throws {
        let vector = zlibVectors.first { $0.name == name }!
        let compressed = DataTestData.base64(vector.zlibBase64)
        let expected = vector.original
        let output = try Inflate.zlibDecompress(compressed, maxOutputSize: 1 << 24, name: name)
        #expect(output == expected)
        // With the size known up front (the ZIP and R-record path), and with trailing bytes after the stream.
        let (sized, consumed) = try (compressed + [1, 2, 3]).withUnsafeBytes {
            try Inflate.zlibDecompress($0, expectedSize: expected.count, maxOutputSize: expected.count, name: name)
        }
        #expect(sized == expected)
        #expect(consumed == compressed.count)
    }

    @Test func rawDeflateOfAVector() throws {
        let vector = zlibVectors.first { $0.kind == .text }!
        let compressed = DataTestData.base64(vector.zlibBase64)
        let raw = Array(compressed[2..<(compressed.count - 4)])
        let (output, consumed) = try raw.withUnsafeBytes {
            try Inflate.inflate($0, maxOutputSize: 1 << 20, name: "raw")
        }
        #expect(output == vector.original)
        #expect(consumed == raw.count)
    }

    @Test func storedBlocksFromOurOwnWriter() throws {
        for (count, block) in [(0, 10), (1, 1), (1000, 7), (70000, 65535), (5000, 4999)] {
            let data = DataTestData.randomBytes(seed: UInt64(count), count: count)
            let stream = DataTestData.zlibStored(data, blockSize: block)
            #expect(try Inflate.zlibDecompress(stream, maxOutputSize: 1 << 20, name: "stored") == data)
        }
    }

    @Test func adler32KnownValues() {
        #expect([UInt8]().withUnsafeBytes { Adler32.checksum($0) } == 1)
        #expect(Array("Wikipedia".utf8).withUnsafeBytes { Adler32.checksum($0) } == 0x11E6_0398)
        // Long input: the deferred modulo must not overflow (all 0xFF is the worst case).
        let ones = [UInt8](repeating: 0xFF, count: 100_000)
        var a: UInt32 = 1, b: UInt32 = 0
        for x in ones { a = (a + UInt32(x)) % 65521; b = (b + a) % 65521 }
        #expect(ones.withUnsafeBytes { Adler32.checksum($0) } == b << 16 | a)
    }

    // MARK: Corrupt input: always a LowBitError, never a crash, a hang or a huge allocation.

    @Test func everyTruncationThrows() {
        for vector in zlibVectors where vector.count > 0 && vector.count < 50_000 {
            let compressed = DataTestData.base64(vector.zlibBase64)
            let step = max(1, compressed.count / 300)
            for cut in stride(from: 0, to: compressed.count, by: step) {
                #expect(throws: LowBitError.self, "\(vector.name) cut at \(cut)") {
                    try Inflate.zlibDecompress(Array(compressed[0..<cut]), maxOutputSize: 1 << 20, name: "cut")
                }
            }
        }
    }

    /// Random bit flips: zlib's Adler-32 catches any change of output, so a flipped stream either throws or
    /// (a flip in padding bits) still gives the original. Raw deflate must just stay within its limit.
    @Test func bitFlipsAreCaughtOrHarmless() throws {
        var rng = DataTestRandom(seed: 42)
        for vector in zlibVectors where vector.count > 0 && vector.count < 50_000 {
            let compressed = DataTestData.base64(vector.zlibBase64)
            let original = vector.original
            for _ in 0..<40 {
                var damaged = compressed
                let bit = Int(rng.next() % UInt64(compressed.count * 8))
                damaged[bit / 8] ^= UInt8(1 << (bit % 8))
                do {
                    let output = try Inflate.zlibDecompress(damaged, maxOutputSize: 1 << 20, name: "flip")
                    #expect(output == original, "\(vector.name) bit \(bit)")
                } catch is LowBitError {
                    // expected
                }
                let raw = Array(damaged[2...])
                do {
                    let output = try Inflate.inflate(raw, maxOutputSize: 1 << 18, name: "flip")
                    #expect(output.count <= 1 << 18)
                } catch is LowBitError {}
            }
        }
    }

    @Test func randomGarbageNeverCrashes() {
        for seed in 0..<300 {
            let garbage = DataTestData.randomBytes(seed: UInt64(1000 + seed), count: 1 + seed * 3)
            do {
                let output = try Inflate.inflate(garbage, maxOutputSize: 1 << 16, name: "garbage")
                #expect(output.count <= 1 << 16)
            } catch is LowBitError {
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
    }

    @Test func reservedBlockType() {
        var w = DeflateBitWriter()
        w.put(1, 1); w.put(3, 2)
        #expect(throws: LowBitError.self) { try Inflate.inflate(w.bytes, maxOutputSize: 100, name: "btype3") }
    }

    @Test func storedLengthComplementMismatch() throws {
        let stream: [UInt8] = [0x01, 0x05, 0x00, 0xFA, 0xFE, 1, 2, 3, 4, 5]  // NLEN off by one bit
        #expect(throws: LowBitError.self) { try Inflate.inflate(stream, maxOutputSize: 100, name: "nlen") }
        let good: [UInt8] = [0x01, 0x05, 0x00, 0xFA, 0xFF, 1, 2, 3, 4, 5]
        #expect(try Inflate.inflate(good, maxOutputSize: 100, name: "stored") == [1, 2, 3, 4, 5])
    }

    @Test func distanceBeforeStartOfOutput() throws {
        var w = DeflateBitWriter()
        w.put(1, 1); w.put(1, 2)            // final, fixed Huffman
        w.putFixedSymbol(65)                // one literal 'A'
        w.putFixedSymbol(257)               // length 3
        w.putCode(1, 5)                     // distance code 1 = distance 2 > 1 byte of output
        w.putFixedSymbol(256)
        #expect(throws: LowBitError.self) { try Inflate.inflate(w.bytes, maxOutputSize: 100, name: "far") }

        var ok = DeflateBitWriter()
        ok.put(1, 1); ok.put(1, 2)
        ok.putFixedSymbol(65)
        ok.putFixedSymbol(257)
        ok.putCode(0, 5)                    // distance 1: run of 'A'
        ok.putFixedSymbol(256)
        #expect(try Inflate.inflate(ok.bytes, maxOutputSize: 100, name: "run") == Array("AAAA".utf8))
    }

    @Test func invalidFixedSymbols() {
        for symbol in [286, 287] {
            var w = DeflateBitWriter()
            w.put(1, 1); w.put(1, 2)
            w.putFixedSymbol(symbol)
            #expect(throws: LowBitError.self) { try Inflate.inflate(w.bytes, maxOutputSize: 100, name: "len") }
        }
        var w = DeflateBitWriter()
        w.put(1, 1); w.put(1, 2)
        w.putFixedSymbol(65)
        w.putFixedSymbol(257)
        w.putCode(30, 5)                    // distance symbol 30 does not exist
        #expect(throws: LowBitError.self) { try Inflate.inflate(w.bytes, maxOutputSize: 100, name: "dist") }
    }

    @Test func badDynamicHeaders() {
        // Over-subscribed code-length code: 19 codes all of length 1.
        var w = DeflateBitWriter()
        w.put(1, 1); w.put(2, 2)
        w.put(0, 5); w.put(0, 5); w.put(15, 4)
        for _ in 0..<19 { w.put(1, 3) }
        w.put(0, 32)
        #expect(throws: LowBitError.self) { try Inflate.inflate(w.bytes, maxOutputSize: 100, name: "over") }

        // HLIT = 287 literal/length codes (at most 286 allowed).
        var h = DeflateBitWriter()
        h.put(1, 1); h.put(2, 2)
        h.put(30, 5); h.put(0, 5); h.put(0, 4)
        h.put(0, 32)
        #expect(throws: LowBitError.self) { try Inflate.inflate(h.bytes, maxOutputSize: 100, name: "hlit") }

        // A repeat (code 16) before any length.
        var r = DeflateBitWriter()
        r.put(1, 1); r.put(2, 2)
        r.put(0, 5); r.put(0, 5); r.put(0, 4)  // HCLEN = 4: lengths for symbols 16, 17, 18, 0
        r.put(1, 3); r.put(0, 3); r.put(0, 3); r.put(1, 3)  // 16 and 0 get 1-bit codes: 0 → '0', 16 → '1'
        r.putCode(1, 1)                     // first symbol: 16 = repeat previous
        r.put(0, 2)
        r.put(0, 32)
        #expect(throws: LowBitError.self) { try Inflate.inflate(r.bytes, maxOutputSize: 100, name: "rep") }
    }

    @Test func outputLimitAndExpectedSize() throws {
        let vector = zlibVectors.first { $0.kind == .zeros }!
        let compressed = DataTestData.base64(vector.zlibBase64)
        #expect(throws: LowBitError.self) {
            try Inflate.zlibDecompress(compressed, maxOutputSize: vector.count - 1, name: "limit")
        }
        #expect(throws: LowBitError.self) {
            try Inflate.zlibDecompress(compressed, expectedSize: vector.count + 1, maxOutputSize: 1 << 20, name: "size")
        }
        #expect(throws: LowBitError.self) {
            try Inflate.zlibDecompress(compressed, expectedSize: vector.count - 1, maxOutputSize: 1 << 20, name: "size")
        }
        #expect(throws: LowBitError.self) {
            try Inflate.zlibDecompress(compressed, expectedSize: 1 << 30, maxOutputSize: 1 << 20, name: "huge")
        }
        #expect(try Inflate.zlibDecompress(compressed, maxOutputSize: vector.count, name: "exact").count == vector.count)
    }

    @Test func zlibHeaderAndChecksum() throws {
        let vector = zlibVectors.first { $0.kind == .text }!
        let compressed = DataTestData.base64(vector.zlibBase64)
        var badMethod = compressed; badMethod[0] = 0x79
        var badCheck = compressed; badCheck[1] ^= 1
        var presetDictionary = compressed; presetDictionary[1] = 0x20; presetDictionary[1] += UInt8(31 - Int(UInt16(0x78) << 8 | 0x20) % 31)
        var badAdler = compressed; badAdler[badAdler.count - 1] ^= 0x80
        for (label, stream) in [("method", badMethod), ("check", badCheck), ("dict", presetDictionary),
                                ("adler", badAdler), ("short", [0x78]), ("no trailer", Array(compressed.dropLast(2)))] {
            #expect(throws: LowBitError.self, "\(label)") {
                try Inflate.zlibDecompress(stream, maxOutputSize: 1 << 20, name: label)
            }
        }
    }

    /// Extra coverage where Python is installed: random sizes, levels, strategies and window sizes.
    @Test func againstPythonZlibWhenPresent() throws {
        guard DefaultAssets.findExecutable("python3") != nil else {
            print("DataInflateTests.againstPythonZlibWhenPresent: python3 not found, skipped")
            return
        }
        var rng = DataTestRandom(seed: 7)
        for i in 0..<12 {
            let count = Int(rng.next() % 200_000)
            let data = i % 2 == 0 ? DataTestData.text(seed: UInt64(i), count: count)
                                  : DataTestData.randomBytes(seed: UInt64(i), count: count / 8)
                                    + DataTestData.text(seed: UInt64(i + 50), count: count)
            let level = Int(rng.next() % 10)
            let strategy = Int(rng.next() % 5)
            let windowBits = 9 + Int(rng.next() % 7)
            let script = "import sys,zlib; d=sys.stdin.buffer.read(); c=zlib.compressobj(\(level),8,\(windowBits),8,\(strategy)); sys.stdout.buffer.write(c.compress(d)+c.flush())"
            let compressed = try DataTestData.run(["python3", "-c", script], input: data)
            let output = try Inflate.zlibDecompress(compressed, maxOutputSize: 1 << 24, name: "python \(i)")
            #expect(output == data, "case \(i): \(count) B, level \(level), strategy \(strategy), wbits \(windowBits)")
        }
    }
}
