import Foundation
import LowBitCore
import LowBitCUDA
import LowBitModel
import Testing
@testable import lowbit

/// The model GPU self-tests' checks (Sources/lowbit/SelfTests/ModelGPUSelfTests.swift) run here without a GPU:
/// with the GPU layers replaced by a host emulation of what they compute (fp16 activations in and out, exact
/// accumulation) every check must pass, and with a layer that is wrong in a way a kernel could be (one output
/// row never written; the weights of another format) the checks must fail.
@Suite("model GPU self-test checks on the host", .serialized)
struct GPUModelSelfTestTests {
    /// y = fp16(Σ fp16(x)·ŵ) with Float32 accumulation (as the kernels), optionally with one output row left as
    /// NaN (an unwritten, poisoned row) or the weights scaled (a wrong scale / wrong format).
    final class HostLayer: LinearWeight, @unchecked Sendable {  // immutable after init
        let dense: DenseF32Linear
        let skipRow: Int?

        init(_ matrix: GPUWeightMatrix, skipRow: Int? = nil, weightScale: Float = 1) {
            dense = DenseF32Linear(rows: matrix.rows, cols: matrix.columns, values: matrix.dequantize().map { $0 * weightScale })
            self.skipRow = skipRow
        }

        var outFeatures: Int { dense.outFeatures }
        var inFeatures: Int { dense.inFeatures }
        var weightBytes: Int { 0 }

        func apply(_ x: UnsafePointer<Float>, tokens: Int, into y: UnsafeMutablePointer<Float>) {
            let xh = (0..<(tokens * inFeatures)).map { Float(Float16(x[$0])) }
            xh.withUnsafeBufferPointer { dense.apply($0.baseAddress!, tokens: tokens, into: y) }
            for i in 0..<(tokens * outFeatures) {
                y[i] = i % outFeatures == skipRow ? .nan : Float(Float16(y[i]))
            }
        }
    }

    @Test(arguments: ["fp6", "nf4"])
    func hostEmulationPassesEveryCheck(_ format: String) throws {
        var random = SplitMix64(seed: 42)
        let check = try ModelDeviceCheck(format: format, random: &random, check: {}) { _, matrix in HostLayer(matrix) }
        // Fewer and smaller batches than on the GPU: the float64 reference is slow in a debug build.
        let layers = try check.layers(random: &random, batches: [1, 7, 33])
        let logits = try check.logits(random: &random)
        let perplexity = try check.perplexity(random: &random, windows: [300, 300, 130])
        #expect(layers.passed, "\(format) layers: \(layers.detail)")
        #expect(logits.passed, "\(format) logits: \(logits.detail)")
        #expect(perplexity.passed, "\(format) perplexity: \(perplexity.detail)")
        print("model self-test checks, host emulation \(format): layers \(layers.detail); logits \(logits.detail); perplexity \(perplexity.detail)")
    }

    @Test func brokenLayersFailTheChecks() throws {
        var random = SplitMix64(seed: 43)
        // One row of ffn_down (in blk.1) never written: the layer check must catch it (NaN → ∞ error).
        let unwritten = try ModelDeviceCheck(format: "fp6", random: &random, check: {}) { name, matrix in
            HostLayer(matrix, skipRow: name == "blk.1.ffn_down.weight" ? 5 : nil)
        }
        #expect(try !unwritten.layers(random: &random, batches: [1]).passed)
        #expect(try !unwritten.logits(random: &random).passed)
        // Weights 1 % off in one layer (a wrong scale): the layer check fails, logits and perplexity move.
        let scaled = try ModelDeviceCheck(format: "nf4", random: &random, check: {}) { name, matrix in
            HostLayer(matrix, weightScale: name == "blk.0.attn_v.weight" ? 1.01 : 1)
        }
        #expect(try !scaled.layers(random: &random, batches: [1]).passed)
        // An error reported by the runtime fails the check.
        struct Boom: Error {}
        let failing = try ModelDeviceCheck(format: "fp6", random: &random, check: { throw Boom() }) { _, m in HostLayer(m) }
        #expect(throws: Boom.self) { try failing.logits(random: &random) }
    }
}
