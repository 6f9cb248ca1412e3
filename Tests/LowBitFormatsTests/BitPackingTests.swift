import Testing
@testable import LowBitFormats
import LowBitCore

@Suite struct BitPackingTests {
    /// Independent reference: set stream bits one by one from the layout definitions.
    static func referenceMSB(_ codes: [UInt8], bits: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (codes.count * bits + 7) / 8)
        for (i, c) in codes.enumerated() {
            for j in 0..<bits where (c >> (bits - 1 - j)) & 1 == 1 {   // code MSB first
                let k = i * bits + j
                out[k / 8] |= 0x80 >> (k % 8)
            }
        }
        return out
    }

    static func referenceWords(_ codes: [UInt8], bits: Int) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: (codes.count * bits + 31) / 32)
        for (i, c) in codes.enumerated() {
            for j in 0..<bits where (c >> j) & 1 == 1 {                 // code LSB first
                let k = i * bits + j
                out[k / 32] |= 1 << (k % 32)
            }
        }
        return out
    }

    @Test func roundTripsAndMatchesTheLayoutForEveryWidth() throws {
        var rng = TestSeed.make("bit packing")
        for bits in 1...8 {
            for count in [0, 1, 2, 3, 5, 7, 13, 31, 33, 63, 65, 97, 1001] {
                let codes = (0..<count).map { _ in UInt8.random(in: 0...UInt8((1 << bits) - 1), using: &rng) }
                let bytes = try BitPacking.packMSBFirst(codes, bits: bits)
                #expect(bytes == Self.referenceMSB(codes, bits: bits), "MSB bits \(bits) count \(count)")
                #expect(bytes.count == BitPacking.packedByteCount(count: count, bits: bits))
                #expect(try BitPacking.unpackMSBFirst(bytes, bits: bits, count: count) == codes)
                let words = try BitPacking.packWords(codes, bits: bits)
                #expect(words == Self.referenceWords(codes, bits: bits), "words bits \(bits) count \(count)")
                #expect(words.count == BitPacking.packedWordCount(count: count, bits: bits))
                #expect(try BitPacking.unpackWords(words, bits: bits, count: count) == codes)
                // Unpacking fewer codes than were packed reads a prefix.
                if count > 1 {
                    #expect(try BitPacking.unpackMSBFirst(bytes, bits: bits, count: count - 1) == Array(codes.dropLast()))
                    #expect(try BitPacking.unpackWords(words, bits: bits, count: count - 1) == Array(codes.dropLast()))
                }
            }
        }
    }

    @Test func documentedExamples() throws {
        // FP6: 4 codes in 3 bytes, MSB first: 101010 111111 000000 000001.
        #expect(try BitPacking.packMSBFirst([0b101010, 0b111111, 0, 1], bits: 6) == [0xAB, 0xF0, 0x01])
        // 4-bit words: code i at shift 4·i.
        #expect(try BitPacking.packWords([1, 2, 3, 4, 5, 6, 7, 8, 9], bits: 4) == [0x8765_4321, 0x9])
        // 3-bit codes straddle: code 10 occupies stream bits 30…32.
        let w = try BitPacking.packWords([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0b111], bits: 3)
        #expect(w == [0xC000_0000, 0x1])
    }

    @Test func badInputs() {
        #expect(throws: LowBitError.self) { try BitPacking.packMSBFirst([4], bits: 2) }
        #expect(throws: LowBitError.self) { try BitPacking.packWords([1, 2, 128], bits: 7) }
        #expect(throws: LowBitError.self) { try BitPacking.packWords([1], bits: 0) }
        #expect(throws: LowBitError.self) { try BitPacking.packMSBFirst([1], bits: 9) }
        #expect(throws: LowBitError.self) { try BitPacking.unpackMSBFirst([0xFF], bits: 3, count: 3) }
        #expect(throws: LowBitError.self) { try BitPacking.unpackWords([0], bits: 5, count: 7) }
        #expect(throws: LowBitError.self) { try BitPacking.unpackWords([0], bits: 5, count: -1) }
    }
}
