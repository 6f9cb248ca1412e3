import Foundation
import Testing
import LowBitCore
@testable import LowBitIO

@Suite("Data: SHA-256")
struct DataSHA256Tests {
    /// FIPS 180-4 / NIST CAVS example messages.
    @Test func nistVectors() {
        #expect(SHA256.hexDigest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hexDigest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func oneMillionA() {
        let digest = SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(digest == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the 64-byte block and the 56-byte padding boundary; digests from Python's hashlib
    /// over DataTestData.randomBytes(seed: length + 1, count: length).
    static let randomVectors: [(Int, String)] = [
        (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (1, "c337ded6f56c07205fb7b391654d7d463c9e0c726869523ae6024c9bec878878"),
        (2, "48ed219085c04e11b03d4df48a9ecb764182a221888a6fae5548d8ab44a5118b"),
        (3, "606a86becf074f8649eaad70df62e809d346d4f3a6312924c7923c91532d9a1f"),
        (31, "3e7975c2b8f2de58bff3b985a7f6f55fd0386467e9ed3ae3f546e46dd68afd76"),
        (32, "9370aafa2832a8adea73c90599a51ea10756d6f6f12e45b894cde5298deb1197"),
        (54, "65af5b5009a344bd7ead649ba8f45e8b9ca0a639574ce162522a6f2d89cbd245"),
        (55, "1cb0cb2b420b46ae79ee728b8ee684729d34d51ff1b46bd81bd896ad686128a9"),
        (56, "0dda8791f39c5f4fa144f4886cf1e7a06607d6949100d6c98a928dffb587c8ed"),
        (57, "54f0bc94e3b40b2470e282e910de02a22940e54f22e7002d8682a720afd9b97c"),
        (63, "5452268e8de7e43f20fbbc8bc40f3a5fedf1d68f3b7816647e2a91be76a80f53"),
        (64, "5d62f33d113df882233d84543a43ad91f1afd4920e36c39894a08593b3996d80"),
        (65, "5f40467910bf1897eafd3b33a6f4324db1648a8a936164ad850db3c84f2accd3"),
        (100, "d3f65e471163ea3ed013c2f523da388190f4a00ef6e74411028f496494a68b49"),
        (111, "d6aa5fca630e627d30112d3b4b52da19085016c39693f7d4a249880ed435bf54"),
        (112, "2594577c61a6ba8bdb784c80143a2ebb8b24485833ec59c5f1720823c455434c"),
        (119, "5718af7be243eb78b5a195ea474537a654024b784119c94d417cf58fe49ab83a"),
        (120, "5004f52edfad991abab190c4fd169a1362d41abcf10d3c136370f747dda7b35d"),
        (127, "fe58941ff2b2471239a4ef278ebd81d2288791c995ab86c64f8c35989b5ee7df"),
        (128, "e757b8c12d34212480dac797708f3f08492088425645354dedec3b76b4a294e9"),
        (129, "369b68f80449838ebe10ecf2212f9f112361e3025939ac235127de6b89a0ff39"),
        (191, "00369d7ab52e40cc98a79494031631bcdc29335098b32e7bfc9affc2d1c4183d"),
        (192, "07e474b3f6d7cfc269cdcaca6c367e3fc4168d26b0250f4babbdcf400ee29548"),
        (193, "2ab77850d70bc75fc1e1bcf511a94e101a20ba92510f5c77905d540a1017dc2e"),
        (255, "36863f3258f0d65629ed6d5a90f6c9e9a612a3e4caf419e74078f1494ac0463c"),
        (256, "c3701b50aa24774667c013dd7fa8a0c0eae32b178a27646cc7f31376e3fc0aa4"),
        (257, "52b1dc1483434f78653626d9a0d039453f0288a96057f9b99329f77b817d45d3"),
        (1000, "c33107dc5a46ab9415bcaa7fd49cae4e5b0961fcf457f001654ae1f3d18300b1"),
        (4095, "569f88d6f704009848c3b980394a491ab126ec69741dfbf7b5be4b481ba89edd"),
        (4096, "e10b5cc1bff722647e4bcaa4eed0913c8b34048249f259a58ce8e15e932f4792"),
        (4097, "c04b9e73bdebff73092bc0b194fdd706819dda26366de74ad977223c13b1e50d"),
        (65535, "5e58713bda23b7ffb675c4666838cf46607230ab02013a6392681f9654af9751"),
        (65536, "2c86338e21fde8c397dbdab62315092af8d5a2df1467f57836f0ca2bcac11004"),
        (65537, "c6f5e46c7434eaf337e5da3bc1d242d565844261c31ca39d787473f5f44cc0c6"),
        (100003, "52d0914a1c922f1c3316acaf7f9595f36b7e9c945c117d1b28796a54eb094ed9"),
    ]

    @Test func randomLengthsAgainstHashlib() {
        for (length, expected) in Self.randomVectors {
            let data = DataTestData.randomBytes(seed: UInt64(length + 1), count: length)
            #expect(SHA256.hexDigest(data) == expected, "length \(length)")
        }
    }

    /// Feeding the same bytes in pieces of every awkward size gives the one-shot digest.
    @Test func incrementalUpdatesMatchOneShot() {
        let data = DataTestData.randomBytes(seed: 99, count: 3000)
        let expected = SHA256.hexDigest(data)
        for piece in [1, 3, 55, 56, 63, 64, 65, 127, 1000] {
            var hasher = SHA256()
            var offset = 0
            while offset < data.count {
                let n = min(piece, data.count - offset)
                hasher.update(Array(data[offset..<(offset + n)]))
                offset += n
            }
            #expect(SHA256.hex(hasher.finalize()) == expected, "piece \(piece)")
        }
    }

    /// File hashing (chunked reads, over a 4 MiB chunk boundary) against the system's sha256sum when present.
    @Test func fileHashMatchesSha256sum() throws {
        let folder = try DataTestData.makeTemporaryDirectory()
        defer { AssetFiles.remove(folder) }
        let data = DataTestData.randomBytes(seed: 5, count: (4 << 20) + 12345)
        let path = folder + "/blob"
        try AssetFiles.writeAtomically(data, to: path)
        let digest = try SHA256.hashFile(path)
        #expect(digest == SHA256.hexDigest(data))
        if DefaultAssets.findExecutable("sha256sum") != nil {
            let output = String(decoding: try DataTestData.run(["sha256sum", path]), as: UTF8.self)
            #expect(output.hasPrefix(digest + " "))
        }
        #expect(throws: LowBitError.self) { try SHA256.hashFile(folder + "/missing") }
    }
}
