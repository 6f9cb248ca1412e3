import Foundation
import LowBitCore
import LowBitIO
import Testing

/// `lowbit info` run as a process: the built binary sits next to the test bundle in the build folder.
@Suite struct InfoCommandTests {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var binary: String? {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        guard !exe.isEmpty else { return nil }
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // Inside an .xctest bundle folder (macOS layout), go up to the build folder.
        while dir.path.contains(".xctest") { dir = dir.deletingLastPathComponent() }
        let path = dir.appendingPathComponent("lowbit").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result? {
        guard let binary else {
            Issue.record("the lowbit binary is not next to the test bundle (build with `swift build --build-tests`)")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a large output cannot fill the pipe and block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func defaultModelTextAndJSON() throws {
        guard let model = IOTestFiles.require(IOTestFiles.defaultModelPath) else { return }
        let text = try #require(try Self.run(["info", model]))
        #expect(text.status == 0, "\(text.stderr)")
        for fragment in ["format: GGUF v3", "architecture: llama", "blk.29.ffn_down.weight", "tensors (272)", "[49152, 576]"] {
            #expect(text.stdout.contains(fragment), "missing \"\(fragment)\"")
        }
        // Table lines, whatever the column widths: the words of the line, in order.
        let lines = Set(text.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") })
        for line in ["blocks 30", "d_model 576", "ffn 1536", "heads 9", "kv_heads 3", "head_dim 64", "rope_base 100000",
                     "context 8192", "vocab 49152", "norm_eps 1e-05", "tokenizer gpt2", "tied_embeddings true",
                     "q4_1 210 106,168,320 66,355,200", "q8_0 1 28,311,552 30,081,024", "f32 61 35,136 140,544",
                     "all 272 134,515,008 96,576,768", "token_embd.weight q8_0 [49152, 576] 30,081,024",
                     "blk.0.attn_k.weight q4_1 [192, 576] 69,120", "blk.0.ffn_down.weight q4_1 [576, 1536] 552,960"] {
            #expect(lines.contains(line), "missing line \"\(line)\"")
        }
        let json = try #require(try Self.run(["info", model, "--json"]))
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "GGUF v3")
        let tensors = try #require(object["tensors"] as? [[String: Any]])
        #expect(tensors.count == 272)
        let embd = try #require(tensors.first { $0["name"] as? String == "token_embd.weight" })
        #expect(embd["type"] as? String == "q8_0" && embd["shape"] as? [Int] == [49152, 576] && embd["bytes"] as? Int == 30_081_024)
        let hyper = try #require(object["hyper_parameters"] as? [String: Any])
        #expect(hyper["heads"] as? Int == 9 && hyper["head_dim"] as? Int == 64 && hyper["vocab"] as? Int == 49152)
        #expect(hyper["tied_embeddings"] as? String == "true" && hyper["norm_eps"] as? Double == 1e-5)
        #expect(hyper["context"] as? Int == 8192 && hyper["ffn"] as? Int == 1536 && hyper["d_model"] as? Int == 576)
        #expect(hyper["tokenizer"] as? String == "gpt2" && hyper["kv_heads"] as? Int == 3 && hyper["blocks"] as? Int == 30)
        #expect(object["total_elements"] as? Int == 134_515_008)
    }

    @Test func damagedCopiesFailCleanly() throws {
        guard let model = IOTestFiles.require(IOTestFiles.defaultModelPath) else { return }
        let dir = try IOTestFiles.temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try Data(contentsOf: URL(fileURLWithPath: model))
        let truncated = dir + "/truncated.gguf"
        try original.prefix(1_000_000).write(to: URL(fileURLWithPath: truncated))
        var flipped = original
        flipped[9] ^= 0x40  // tensor count 272 → 16656: table entries read past the real table
        let flippedPath = dir + "/flipped.gguf"
        try flipped.write(to: URL(fileURLWithPath: flippedPath))
        var absurd = original
        absurd[15] ^= 0x01  // tensor count 2^56 + 272: more than the file can hold
        let absurdPath = dir + "/absurd.gguf"
        try absurd.write(to: URL(fileURLWithPath: absurdPath))
        var dataCut = original.prefix(original.count - 100)
        dataCut.append(Data(count: 0))
        let cutPath = dir + "/cut.gguf"
        try dataCut.write(to: URL(fileURLWithPath: cutPath))
        for (path, fragment) in [(truncated, "can hold at most"), (flippedPath, "tensor #272"), (absurdPath, "the tensor count is 72057594037928208"),
                                (cutPath, "truncated?")] {
            let result = try #require(try Self.run(["info", path]))
            #expect(result.status != 0, "\(path)")
            #expect(result.stderr.contains(path) && result.stderr.contains(fragment), "\(result.stderr)")
            #expect(!result.stderr.contains("Fatal error") && result.stdout.isEmpty)
        }
    }

    /// --check decodes every tensor: finite values pass; a NaN weight is an error naming the tensor.
    @Test func checkFindsNonFiniteWeights() throws {
        let dir = try IOTestFiles.temporaryDirectory("cli-check")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var bytes = GGUFBuilder.valid()
        let good = try IOTestFiles.write(bytes, name: "good.gguf", in: dir)
        let ok = try #require(try Self.run(["info", good, "--check", "--json"]))
        #expect(ok.status == 0, "\(ok.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any]
        let check = object?["check"] as? [String: Any]
        #expect(check?["all_finite"] as? Bool == true && (check?["tensors"] as? [Any])?.count == 2)
        #expect(ok.stderr.contains("decoded 40 values"))

        // The f32 tensor "a.weight" is the first thing in the data section: make its third value a NaN.
        let file = try GGUFFile(path: good)
        let at = file.tensor(named: "a.weight")!.offset + 8
        bytes.replaceSubrange(at..<(at + 4), with: [0x00, 0x00, 0xC0, 0x7F])
        let bad = try IOTestFiles.write(bytes, name: "nan.gguf", in: dir)
        let result = try #require(try Self.run(["info", bad, "--check"]))
        #expect(result.status != 0)
        #expect(result.stdout.contains("1 tensor(s) with NaN or infinite values"))
        #expect(result.stderr.contains(bad) && result.stderr.contains("a.weight"), "\(result.stderr)")
    }

    @Test func otherInputs() throws {
        let dir = try IOTestFiles.temporaryDirectory("cli2")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A small GGUF, a safetensors file and a Hugging Face folder need no downloaded assets.
        let gguf = try IOTestFiles.write(GGUFBuilder.valid(), name: "small.gguf", in: dir)
        let result = try #require(try Self.run(["info", gguf, "--json"]))
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((object?["tensors"] as? [Any])?.count == 2)

        let folder = dir + "/hf"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try SafetensorsWriter.write([SafetensorsEntry(name: "lm_head.weight", shape: [4, 2], floats: [Float](repeating: 1, count: 8))],
                                    metadata: ["format": "pt"], to: folder + "/model.safetensors")
        try #"{"model_type": "llama", "hidden_size": 2, "num_hidden_layers": 1, "rms_norm_eps": 1e-06, "tie_word_embeddings": false}"#
            .write(toFile: folder + "/config.json", atomically: true, encoding: .utf8)
        let hf = try #require(try Self.run(["info", folder]))
        #expect(hf.status == 0, "\(hf.stderr)")
        #expect(hf.stdout.contains("Hugging Face folder (1 safetensors file)") && hf.stdout.contains("architecture: llama"))
        #expect(hf.stdout.contains("lm_head.weight") && hf.stdout.contains("F32") && hf.stdout.contains("[4, 2]"))
        let single = try #require(try Self.run(["info", folder + "/model.safetensors", "--json"]))
        #expect(single.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)) as? [String: Any])?["format"] as? String == "safetensors")

        let missing = try #require(try Self.run(["info", dir + "/nothing.gguf"]))
        #expect(missing.status != 0 && missing.stderr.contains("nothing.gguf"))
        let noDefault = try #require(try Self.run(["info"], environment: ["LOWBIT_CACHE": dir + "/empty-cache"]))
        #expect(noDefault.status != 0 && noDefault.stderr.contains("lowbit fetch"))
        let text = try IOTestFiles.write(Array("hello world, not a model".utf8), name: "text.bin", in: dir)
        let notModel = try #require(try Self.run(["info", text]))
        #expect(notModel.status != 0 && notModel.stderr.contains("neither a GGUF"))
    }
}
