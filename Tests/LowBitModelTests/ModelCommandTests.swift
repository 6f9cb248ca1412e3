import Foundation
import LowBitCore
import Testing
@testable import LowBitModel

/// The model commands run as a process (the built `lowbit` binary next to the test bundle).
@Suite struct ModelCommandTests {
    static var binary: String? {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while dir.path.contains(".xctest") { dir = dir.deletingLastPathComponent() }
        let path = dir.appendingPathComponent("lowbit").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String)? {
        guard let binary else {
            Issue.record("the lowbit binary is not next to the test bundle (build with `swift build --build-tests`)")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test(.enabled(if: Assets.haveModel)) func chatPromptAnswersOnStdout() throws {
        guard let r = try Self.run(["chat", "--prompt", "What is the capital of France?", "--max-tokens", "16"]) else { return }
        #expect(r.status == 0)
        #expect(r.stdout.contains("Paris"), "stdout: \(r.stdout)")
        #expect(r.stderr.contains("tok/s"))
    }

    @Test(.enabled(if: Assets.haveAusten)) func perplexityJSON() throws {
        guard let r = try Self.run(["perplexity", "--text", Assets.austenPath, "--context", "64", "--max-tokens", "130", "--json"]) else { return }
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((object?["tokens_scored"] as? Int) == 63 + 63 + 1)
        #expect(((object?["perplexity"] as? Double) ?? 0) > 1)
    }

    @Test func badArgumentsExitNonZeroWithAMessage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lowbit-cmd-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.txt")
        try Data().write(to: empty)
        let cases: [([String], String)] = [
            (["perplexity", "--text", empty.path, "--context", "1"], "--context"),
            (["perplexity", "--text", empty.path], "empty"),
            (["perplexity", "--text", dir.appendingPathComponent("none.txt").path], "none.txt"),
            (["generate", dir.appendingPathComponent("none.gguf").path, "--prompt", "hi"], "none.gguf"),
            (["generate", "--prompt", "hi", "--temperature", "-1"], "--temperature"),
            (["bench", "decode", "--device", "tpu"], "--device"),
        ]
        for (args, needle) in cases {
            guard let r = try Self.run(args) else { return }
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains(needle), "\(args): \(r.stderr)")
        }
    }
}

@Suite struct GGUFConfigTests {
    @Test func configFromGGUFMetadata() throws {
        var md: [String: Any] = [
            "general.architecture": "llama", "llama.block_count": 30, "llama.embedding_length": 576,
            "llama.feed_forward_length": 1536, "llama.attention.head_count": 9, "llama.attention.head_count_kv": 3,
            "llama.rope.freq_base": 100000.0, "llama.attention.layer_norm_rms_epsilon": 1e-5, "llama.vocab_size": 49152,
            "llama.context_length": 8192,
        ]
        let c = try LlamaConfig.fromGGUF(DictionaryMetadata(md), source: "m.gguf")
        #expect(c.headDim == 64 && c.rotaryDim == 64 && c.ropeLayout == .interleaved && c.ropeTheta == 100000)
        md["general.architecture"] = "mamba"
        do { _ = try LlamaConfig.fromGGUF(DictionaryMetadata(md), source: "m.gguf"); Issue.record("mamba accepted") } catch let e as LowBitError {
            #expect(e.message.contains("mamba") && e.kind == .unsupported)
        }
        md["general.architecture"] = "llama"
        md["llama.block_count"] = nil
        do { _ = try LlamaConfig.fromGGUF(DictionaryMetadata(md), source: "m.gguf"); Issue.record("missing key accepted") } catch let e as LowBitError {
            #expect(e.message.contains("llama.block_count"))
        }
        md["llama.block_count"] = 30
        md["llama.rope.scaling.type"] = "yarn"
        #expect(throws: LowBitError.self) { try LlamaConfig.fromGGUF(DictionaryMetadata(md), source: "m.gguf") }
    }
}
