#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LowBitCore

/// SHA-256 (FIPS 180-4), streaming. Used to pin every fetched file (wheels, .debs, the model, the texts).
///
///     var hasher = SHA256()
///     hasher.update(bytes)
///     let hex = SHA256.hex(hasher.finalize())
///
/// `SHA256.hashFile(_:)` reads a file in 4 MiB chunks, so memory stays flat for any file size.
public struct SHA256: Sendable {
    public static let digestByteCount = 32
    static let blockByteCount = 64

    private var h0: UInt32 = 0x6a09_e667, h1: UInt32 = 0xbb67_ae85
    private var h2: UInt32 = 0x3c6e_f372, h3: UInt32 = 0xa54f_f53a
    private var h4: UInt32 = 0x510e_527f, h5: UInt32 = 0x9b05_688c
    private var h6: UInt32 = 0x1f83_d9ab, h7: UInt32 = 0x5be0_cd19
    /// Bytes of an incomplete block carried between `update` calls (count in `pendingCount`).
    private var pending = [UInt8](repeating: 0, count: 64)
    private var pendingCount = 0
    private var totalBytes: UInt64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var source = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        totalBytes &+= UInt64(remaining)
        if pendingCount > 0 {
            let take = min(64 - pendingCount, remaining)
            pending.withUnsafeMutableBytes { buffer in
                (buffer.baseAddress! + pendingCount).copyMemory(from: source, byteCount: take)
            }
            pendingCount += take
            source += take
            remaining -= take
            if pendingCount < 64 { return }
            pending.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: 1) }
            pendingCount = 0
        }
        let wholeBlocks = remaining / 64
        if wholeBlocks > 0 {
            compress(blocks: source, count: wholeBlocks)
            source += wholeBlocks * 64
            remaining -= wholeBlocks * 64
        }
        if remaining > 0 {
            pending.withUnsafeMutableBytes { buffer in
                buffer.baseAddress!.copyMemory(from: source, byteCount: remaining)
            }
            pendingCount = remaining
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ text: String) {
        var text = text
        text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The 32-byte digest. The hasher is consumed: call `init()` again to hash something else.
    public mutating func finalize() -> [UInt8] {
        let bitLength = totalBytes &* 8
        // Padding: 0x80, zeros up to 56 mod 64, then the 64-bit big-endian message length in bits.
        var tail = [UInt8](repeating: 0, count: pendingCount < 56 ? 64 : 128)
        for i in 0..<pendingCount { tail[i] = pending[i] }
        tail[pendingCount] = 0x80
        for i in 0..<8 { tail[tail.count - 1 - i] = UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i))) }
        tail.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: $0.count / 64) }
        pendingCount = 0
        var digest = [UInt8](repeating: 0, count: 32)
        for (i, word) in [h0, h1, h2, h3, h4, h5, h6, h7].enumerated() {
            digest[4 * i] = UInt8(truncatingIfNeeded: word >> 24)
            digest[4 * i + 1] = UInt8(truncatingIfNeeded: word >> 16)
            digest[4 * i + 2] = UInt8(truncatingIfNeeded: word >> 8)
            digest[4 * i + 3] = UInt8(truncatingIfNeeded: word)
        }
        return digest
    }

    // MARK: - One-shot helpers

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// Lower-case hex of the digest of `bytes`.
    public static func hexDigest(_ bytes: [UInt8]) -> String { hex(hash(bytes)) }

    public static func hexDigest(_ text: String) -> String {
        var hasher = SHA256()
        hasher.update(text)
        return hex(hasher.finalize())
    }

    /// Lower-case hex of the SHA-256 of the file at `path`, read in chunks (flat memory).
    public static func hashFile(_ path: String) throws -> String {
        var hasher = SHA256()
        try forEachChunk(ofFile: path) { hasher.update($0) }
        return hex(hasher.finalize())
    }

    /// Calls `body` with consecutive chunks (4 MiB) of the file, from start to end.
    static func forEachChunk(ofFile path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw LowBitError.io(path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let chunkSize = 4 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let got = read(fd, buffer, chunkSize)
            if got < 0 {
                if errno == EINTR { continue }
                throw LowBitError.io(path, "read failed: \(String(cString: strerror(errno)))")
            }
            if got == 0 { return }
            try body(UnsafeRawBufferPointer(start: buffer, count: got))
        }
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Compression function

    /// Processes `count` consecutive 64-byte blocks.
    ///
    /// Written out round by round (the generated-looking part below) with the state and the 16-word message
    /// window in local variables and `@_transparent` helpers: that is what makes it fast in release AND
    /// tolerable in debug builds (tests and `lowbit fetch` in CI hash ~200 MB with a debug build; a loop over
    /// pointer subscripts is ~30x slower there because nothing is inlined at -Onone).
    private mutating func compress(blocks: UnsafeRawPointer, count: Int) {
        var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
        var p = blocks
        for _ in 0..<count {
            var w0 = loadWord(p, 0), w1 = loadWord(p, 4), w2 = loadWord(p, 8), w3 = loadWord(p, 12)
            var w4 = loadWord(p, 16), w5 = loadWord(p, 20), w6 = loadWord(p, 24), w7 = loadWord(p, 28)
            var w8 = loadWord(p, 32), w9 = loadWord(p, 36), w10 = loadWord(p, 40), w11 = loadWord(p, 44)
            var w12 = loadWord(p, 48), w13 = loadWord(p, 52), w14 = loadWord(p, 56), w15 = loadWord(p, 60)
            let (sa, sb, sc, sd, se, sf, sg, sh) = (a, b, c, d, e, f, g, h)
            // 64 rounds; instead of shifting the eight working variables each round, their roles rotate:
            // round(a, b, c, &d, e, f, g, &h, K[t], W[t]) with (a...h) renamed one step per line.
            round(a, b, c, &d, e, f, g, &h, 0x428a2f98, w0)
            round(h, a, b, &c, d, e, f, &g, 0x71374491, w1)
            round(g, h, a, &b, c, d, e, &f, 0xb5c0fbcf, w2)
            round(f, g, h, &a, b, c, d, &e, 0xe9b5dba5, w3)
            round(e, f, g, &h, a, b, c, &d, 0x3956c25b, w4)
            round(d, e, f, &g, h, a, b, &c, 0x59f111f1, w5)
            round(c, d, e, &f, g, h, a, &b, 0x923f82a4, w6)
            round(b, c, d, &e, f, g, h, &a, 0xab1c5ed5, w7)
            round(a, b, c, &d, e, f, g, &h, 0xd807aa98, w8)
            round(h, a, b, &c, d, e, f, &g, 0x12835b01, w9)
            round(g, h, a, &b, c, d, e, &f, 0x243185be, w10)
            round(f, g, h, &a, b, c, d, &e, 0x550c7dc3, w11)
            round(e, f, g, &h, a, b, c, &d, 0x72be5d74, w12)
            round(d, e, f, &g, h, a, b, &c, 0x80deb1fe, w13)
            round(c, d, e, &f, g, h, a, &b, 0x9bdc06a7, w14)
            round(b, c, d, &e, f, g, h, &a, 0xc19bf174, w15)
            // Message schedule for rounds 16-31: w[i] += σ1(w[i-2]) + w[i-7] + σ0(w[i-15]), in place.
            expand(&w0, w14, w9, w1)
            expand(&w1, w15, w10, w2)
            expand(&w2, w0, w11, w3)
            expand(&w3, w1, w12, w4)
            expand(&w4, w2, w13, w5)
            expand(&w5, w3, w14, w6)
            expand(&w6, w4, w15, w7)
            expand(&w7, w5, w0, w8)
            expand(&w8, w6, w1, w9)
            expand(&w9, w7, w2, w10)
            expand(&w10, w8, w3, w11)
            expand(&w11, w9, w4, w12)
            expand(&w12, w10, w5, w13)
            expand(&w13, w11, w6, w14)
            expand(&w14, w12, w7, w15)
            expand(&w15, w13, w8, w0)
            round(a, b, c, &d, e, f, g, &h, 0xe49b69c1, w0)
            round(h, a, b, &c, d, e, f, &g, 0xefbe4786, w1)
            round(g, h, a, &b, c, d, e, &f, 0x0fc19dc6, w2)
            round(f, g, h, &a, b, c, d, &e, 0x240ca1cc, w3)
            round(e, f, g, &h, a, b, c, &d, 0x2de92c6f, w4)
            round(d, e, f, &g, h, a, b, &c, 0x4a7484aa, w5)
            round(c, d, e, &f, g, h, a, &b, 0x5cb0a9dc, w6)
            round(b, c, d, &e, f, g, h, &a, 0x76f988da, w7)
            round(a, b, c, &d, e, f, g, &h, 0x983e5152, w8)
            round(h, a, b, &c, d, e, f, &g, 0xa831c66d, w9)
            round(g, h, a, &b, c, d, e, &f, 0xb00327c8, w10)
            round(f, g, h, &a, b, c, d, &e, 0xbf597fc7, w11)
            round(e, f, g, &h, a, b, c, &d, 0xc6e00bf3, w12)
            round(d, e, f, &g, h, a, b, &c, 0xd5a79147, w13)
            round(c, d, e, &f, g, h, a, &b, 0x06ca6351, w14)
            round(b, c, d, &e, f, g, h, &a, 0x14292967, w15)
            // Message schedule for rounds 32-47: w[i] += σ1(w[i-2]) + w[i-7] + σ0(w[i-15]), in place.
            expand(&w0, w14, w9, w1)
            expand(&w1, w15, w10, w2)
            expand(&w2, w0, w11, w3)
            expand(&w3, w1, w12, w4)
            expand(&w4, w2, w13, w5)
            expand(&w5, w3, w14, w6)
            expand(&w6, w4, w15, w7)
            expand(&w7, w5, w0, w8)
            expand(&w8, w6, w1, w9)
            expand(&w9, w7, w2, w10)
            expand(&w10, w8, w3, w11)
            expand(&w11, w9, w4, w12)
            expand(&w12, w10, w5, w13)
            expand(&w13, w11, w6, w14)
            expand(&w14, w12, w7, w15)
            expand(&w15, w13, w8, w0)
            round(a, b, c, &d, e, f, g, &h, 0x27b70a85, w0)
            round(h, a, b, &c, d, e, f, &g, 0x2e1b2138, w1)
            round(g, h, a, &b, c, d, e, &f, 0x4d2c6dfc, w2)
            round(f, g, h, &a, b, c, d, &e, 0x53380d13, w3)
            round(e, f, g, &h, a, b, c, &d, 0x650a7354, w4)
            round(d, e, f, &g, h, a, b, &c, 0x766a0abb, w5)
            round(c, d, e, &f, g, h, a, &b, 0x81c2c92e, w6)
            round(b, c, d, &e, f, g, h, &a, 0x92722c85, w7)
            round(a, b, c, &d, e, f, g, &h, 0xa2bfe8a1, w8)
            round(h, a, b, &c, d, e, f, &g, 0xa81a664b, w9)
            round(g, h, a, &b, c, d, e, &f, 0xc24b8b70, w10)
            round(f, g, h, &a, b, c, d, &e, 0xc76c51a3, w11)
            round(e, f, g, &h, a, b, c, &d, 0xd192e819, w12)
            round(d, e, f, &g, h, a, b, &c, 0xd6990624, w13)
            round(c, d, e, &f, g, h, a, &b, 0xf40e3585, w14)
            round(b, c, d, &e, f, g, h, &a, 0x106aa070, w15)
            // Message schedule for rounds 48-63: w[i] += σ1(w[i-2]) + w[i-7] + σ0(w[i-15]), in place.
            expand(&w0, w14, w9, w1)
            expand(&w1, w15, w10, w2)
            expand(&w2, w0, w11, w3)
            expand(&w3, w1, w12, w4)
            expand(&w4, w2, w13, w5)
            expand(&w5, w3, w14, w6)
            expand(&w6, w4, w15, w7)
            expand(&w7, w5, w0, w8)
            expand(&w8, w6, w1, w9)
            expand(&w9, w7, w2, w10)
            expand(&w10, w8, w3, w11)
            expand(&w11, w9, w4, w12)
            expand(&w12, w10, w5, w13)
            expand(&w13, w11, w6, w14)
            expand(&w14, w12, w7, w15)
            expand(&w15, w13, w8, w0)
            round(a, b, c, &d, e, f, g, &h, 0x19a4c116, w0)
            round(h, a, b, &c, d, e, f, &g, 0x1e376c08, w1)
            round(g, h, a, &b, c, d, e, &f, 0x2748774c, w2)
            round(f, g, h, &a, b, c, d, &e, 0x34b0bcb5, w3)
            round(e, f, g, &h, a, b, c, &d, 0x391c0cb3, w4)
            round(d, e, f, &g, h, a, b, &c, 0x4ed8aa4a, w5)
            round(c, d, e, &f, g, h, a, &b, 0x5b9cca4f, w6)
            round(b, c, d, &e, f, g, h, &a, 0x682e6ff3, w7)
            round(a, b, c, &d, e, f, g, &h, 0x748f82ee, w8)
            round(h, a, b, &c, d, e, f, &g, 0x78a5636f, w9)
            round(g, h, a, &b, c, d, e, &f, 0x84c87814, w10)
            round(f, g, h, &a, b, c, d, &e, 0x8cc70208, w11)
            round(e, f, g, &h, a, b, c, &d, 0x90befffa, w12)
            round(d, e, f, &g, h, a, b, &c, 0xa4506ceb, w13)
            round(c, d, e, &f, g, h, a, &b, 0xbef9a3f7, w14)
            round(b, c, d, &e, f, g, h, &a, 0xc67178f2, w15)
            a &+= sa; b &+= sb; c &+= sc; d &+= sd; e &+= se; f &+= sf; g &+= sg; h &+= sh
            p += 64
        }
        h0 = a; h1 = b; h2 = c; h3 = d; h4 = e; h5 = f; h6 = g; h7 = h
    }
}

@_transparent
private func loadWord(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
    UInt32(bigEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
}

@_transparent
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x &>> n) | (x &<< (32 &- n))
}

/// One SHA-256 round: T1 = h + Σ1(e) + Ch(e,f,g) + K + W, T2 = Σ0(a) + Maj(a,b,c); d += T1; h = T1 + T2.
@_transparent
private func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                   _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ k: UInt32, _ w: UInt32) {
    let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (g ^ (e & (f ^ g))) &+ k &+ w
    let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) | (c & (a | b)))
    d = d &+ t1
    h = t1 &+ t2
}

/// Message expansion in a 16-word window: w[t] = σ1(w[t-2]) + w[t-7] + σ0(w[t-15]) + w[t-16].
@_transparent
private func expand(_ w: inout UInt32, _ wMinus2: UInt32, _ wMinus7: UInt32, _ wMinus15: UInt32) {
    let s0 = rotr(wMinus15, 7) ^ rotr(wMinus15, 18) ^ (wMinus15 &>> 3)
    let s1 = rotr(wMinus2, 17) ^ rotr(wMinus2, 19) ^ (wMinus2 &>> 10)
    w = w &+ s1 &+ wMinus7 &+ s0
}
