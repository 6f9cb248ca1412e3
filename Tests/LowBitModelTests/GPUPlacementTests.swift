import Foundation
import LowBitCore
import LowBitCUDA
import LowBitFormats
import Testing
@testable import LowBitModel

/// GPU placement without a GPU: which format maps to which kernel, the --device policy and its messages, the
/// checkpoint → kernel-input conversion (against the CPU layer, bit for bit), and a whole model whose "GPU"
/// layers are a host emulation of fp16 activations (the tolerance the GPU selftest uses). The GPU itself is
/// checked by `lowbit selftest --device cuda --filter model` (Sources/lowbit/SelfTests/ModelGPUSelfTests.swift).
@Suite("GPU placement (no GPU needed)")
struct GPUPlacementTests {
    func layout(_ format: String, rows: Int = 40, cols: Int = 200) throws -> QuantizedTensorLayout {
        let w = [Float](repeating: 0.5, count: rows * cols)
        return try TinyCheckpoint.quantize("t", w, rows: rows, cols: cols, format: format).0
    }

    @Test func formatsMapToKernels() throws {
        let e3m2 = try FPxFormat(exponentBits: 3, mantissaBits: 2)
        #expect(GPUKernelChoice.choose(for: try layout("fp6")) == .tcfpx(e3m2))
        #expect(GPUKernelChoice.choose(for: try layout("fp5")) == .tcfpx(try FPxFormat(exponentBits: 2, mantissaBits: 2)))
        #expect(GPUKernelChoice.choose(for: try layout("fpe2m3")) == .tcfpx(try FPxFormat(exponentBits: 2, mantissaBits: 3)))
        let nf4 = try LookupTable.named("nf4")
        #expect(GPUKernelChoice.choose(for: try layout("nf4")) == .flute(nf4, .columns(128)))
        #expect(GPUKernelChoice.choose(for: try layout("nf4g64")) == .flute(nf4, .columns(64)))
        #expect(GPUKernelChoice.choose(for: try layout("nf3grow")) == .flute(try LookupTable.named("nf3"), .perRow))
        #expect(GPUKernelChoice.choose(for: try layout("nf2g32")) == .flute(try LookupTable.named("nf2"), .columns(32)))
        // A group wider than the row is one scale per row.
        #expect(GPUKernelChoice.choose(for: try layout("nf4g256", cols: 100)) == .flute(nf4, .perRow))
        // A constant zero point folds into the table: symmetric int4 → table −8…7.
        var int4sym = try layout("int4")
        int4sym.zeroPoint = "constant"
        int4sym.zeroConstant = 8
        #expect(GPUKernelChoice.choose(for: int4sym) == .flute(try LookupTable(values: (0..<16).map { Float($0 - 8) }), .perRow))
    }

    func reason(_ layout: QuantizedTensorLayout) -> String? {
        if case .unsupported(let why) = GPUKernelChoice.choose(for: layout) { return why }
        return nil
    }

    @Test func formatsWithoutKernelSayWhy() throws {
        #expect(reason(try layout("fp6g32"))?.contains("one scale per output row") == true)
        #expect(reason(try layout("int4"))?.contains("stored zero points") == true)
        #expect(reason(try layout("int8"))?.contains("not 8") == true)
        var lut48 = try layout("nf4g64")
        lut48.groupSize = 48
        #expect(reason(lut48)?.contains("32, 64, 128 or 256") == true)
        var wrongTable = try layout("fp6")
        wrongTable.table[5] = 0.3
        #expect(reason(wrongTable)?.contains("e3m2") == true)
        let e5m2 = try FPxFormat(exponentBits: 5, mantissaBits: 2)
        let fp8 = QuantizedTensorLayout(scheme: .codes, codec: "fp8 e5m2", rows: 4, cols: 8, bits: 8, groupSize: 8,
                                        decoding: "fpx", exponentBits: 5, mantissaBits: 2, table: e5m2.decodeTable)
        #expect(reason(fp8)?.contains("E ≤ 4") == true)
        let bipolar = QuantizedTensorLayout(scheme: .bipolar, codec: "bipolar w2a8", rows: 4, cols: 64, bits: 2,
                                            groupSize: 64, decoding: "lookup", table: [-3, -1, 1, 3], activationBits: 8)
        #expect(reason(bipolar)?.contains("bipolar") == true)
        let quik = QuantizedTensorLayout(scheme: .quik, codec: "quik w4a4", rows: 4, cols: 64, bits: 4, groupSize: 63,
                                         decoding: "integer", table: (0..<16).map(Float.init), zeroPoint: "constant",
                                         zeroConstant: 8, activationBits: 4, outlierColumns: [3])
        #expect(reason(quik)?.contains("QUIK") == true)
    }

    @Test func devicePolicyNamesTheLayerAndTheFormat() throws {
        func place(_ name: String, _ codec: String, _ format: String) throws -> LayerPlacement {
            LayerPlacement(tensor: name, codec: codec, kernel: GPUKernelChoice.choose(for: try layout(format)))
        }
        // int4 block layers: --device cuda refuses, naming the tensor, the codec, the reason and the way out.
        let int4 = PlacementPlan(source: "m.safetensors", layers: [
            try place("blk.0.attn_q.weight", "int4 asymmetric", "int4"), try place("blk.0.attn_k.weight", "int4 asymmetric", "int4"),
            try place("token_embd.weight", "int8 symmetric", "int8"),
        ])
        let why = try #require(int4.gpuBlocker)
        #expect(why.contains("blk.0.attn_q.weight") && why.contains("int4 asymmetric") && why.contains("stored zero points"))
        #expect(why.contains("1 more layer"))
        do {
            try int4.requireGPUKernels()
            Issue.record("int4 placed on the GPU")
        } catch let error as LowBitError {
            #expect(error.kind == .unsupported)
            #expect(error.message.contains("--device cuda") && error.message.contains("--device cpu") && error.message.contains("nf4"))
        }
        // fp6 blocks + int8 head: fine; the head is listed on the CPU with its reason.
        let fp6 = PlacementPlan(source: "m.safetensors", layers: [
            try place("blk.0.attn_q.weight", "fp6 e3m2", "fp6"), try place("blk.1.ffn_down.weight", "fp6 e3m2", "fp6"),
            try place("token_embd.weight", "int8 symmetric", "int8"),
        ])
        #expect(fp6.gpuBlocker == nil)
        try fp6.requireGPUKernels()
        #expect(fp6.summary.contains("2 linear layer(s) on the GPU (fp6 e3m2 via TC-FPx"))
        #expect(fp6.summary.contains("on the CPU: token_embd.weight (int8 symmetric"))
        // Mixed kernels are both listed; a float checkpoint has nothing for the GPU.
        let mixed = PlacementPlan(source: "m", layers: [try place("blk.0.attn_q.weight", "fp6 e3m2", "fp6"),
                                                        try place("blk.0.ffn_up.weight", "nf4", "nf4")])
        #expect(mixed.summary.contains("TC-FPx") && mixed.summary.contains("nf4 via FLUTE"))
        #expect(PlacementPlan(source: "f", layers: []).gpuBlocker?.contains("no quantized transformer layers") == true)
    }

    /// The kernels' inputs built from checkpoint bytes are exactly the CPU layer's weights, and the kernels'
    /// own packers hand back the same codes and scales.
    @Test(arguments: ["fp6", "fp5", "fpe2m3", "nf4", "nf4g64", "nf3grow", "nf2g32"])
    func checkpointBytesBecomeKernelInputs(_ format: String) throws {
        let rows = 37, cols = 203
        var rng = TinyCheckpoint.Rng(seed: 11)
        let w = (0..<(rows * cols)).map { _ in rng.normal() * 0.1 }
        let (layout, entries) = try TinyCheckpoint.quantize("blk.0.ffn_up.weight", w, rows: rows, cols: cols, format: format)
        let q = entries[0].data, s = entries[1].data
        try q.withUnsafeBytes { qb in
            try s.withUnsafeBytes { sb in
                let bytes = QuantizedTensorBytes(qweight: qb, scales: sb, zeros: nil, outlierWeight: nil)
                let kernel = GPUKernelChoice.choose(for: layout)
                let matrix = try GPUWeightMatrix(name: "blk.0.ffn_up.weight", layout: layout, bytes: bytes, kernel: kernel)
                let cpu = QuantizedCodeLinear(layout: layout, bytes: bytes)
                var row = [Float](repeating: 0, count: cols)
                let got = matrix.dequantize()
                var mismatches = 0
                for r in 0..<rows {
                    row.withUnsafeMutableBufferPointer { cpu.lookup(r, into: $0.baseAddress!) }
                    for k in 0..<cols where row[k].bitPattern != got[r * cols + k].bitPattern { mismatches += 1 }
                }
                #expect(mismatches == 0, "\(format): \(mismatches) weights differ from the CPU layer")
                switch matrix {
                case .fpx(let m):
                    let prepared = try TCFPxPreparedWeights(m, name: "t")
                    #expect(try TCFPxPacker.unpack(packed: prepared.packed, geometry: prepared.geometry) == m.codes)
                    #expect(prepared.scales == m.scales)
                case .lut(let m):
                    let group: LUTGroupSize
                    switch m.grouping {
                    case .perRow: group = .perRow
                    case .columns(let g): group = .group(g)
                    }
                    let packed = try FLUTELayout.pack(codes: m.codes, scales: m.scales, bits: m.table.bits, outputs: rows,
                                                      inputs: cols, groupSize: group)
                    let (codes, scales) = FLUTELayout.unpack(packed)
                    #expect(codes == m.codes && scales == m.scales)
                }
            }
        }
    }

    func tokens(_ n: Int, seed: UInt64) -> [Int] {
        var rng = TinyCheckpoint.Rng(seed: seed)
        return (0..<n).map { _ in Int(rng.next() % UInt64(TinyCheckpoint.vocab)) }
    }

    /// The whole placement path with the GPU layers emulated on the host: the right layers move, the rest is the
    /// CPU model, and fp16 activations keep logits within 5e-3 (relative L2) and perplexity within 0.1 %
    /// (measured: logits 1.5–1.8e-3, perplexity 1.1–1.6e-4 on sampled text).
    @Test(arguments: ["fp6", "nf4g64"])
    func placedModelMatchesTheCPUModel(_ format: String) throws {
        let dir = TinyCheckpoint.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try TinyCheckpoint.write(format: format, directory: dir)
        let checkpoint = try LowBitCheckpointWeights(path: path)
        let plan = PlacementPlan(checkpoint: checkpoint)
        #expect(plan.gpuBlocker == nil)
        #expect(plan.layers.filter(\.onGPU).count == 14)
        #expect(plan.placement(of: "token_embd.weight")?.onGPU == false)
        nonisolated(unsafe) var placedNames: [String] = []
        let placed = PlacedWeights(base: checkpoint, plan: plan) { name, matrix in
            placedNames.append(name)
            return EmulatedGPULinear(name: name, matrix: matrix)
        }
        let config = try TinyCheckpoint.config(checkpoint)
        let cpuModel = try LlamaModel(config: config, weights: checkpoint)
        let gpuModel = try LlamaModel(config: config, weights: placed)
        #expect(placedNames.count == 14 && placedNames.allSatisfy { $0.hasPrefix("blk.") })

        let window = tokens(50, seed: 3)
        let a = try cpuModel.forward(window, cache: cpuModel.makeCache(), logits: .all)
        let b = try gpuModel.forward(window, cache: gpuModel.makeCache(), logits: .all)
        var num = 0.0, den = 0.0
        for i in a.indices {
            num += Double(a[i] - b[i]) * Double(a[i] - b[i])
            den += Double(a[i]) * Double(a[i])
        }
        let rel = (num / den).squareRoot()
        #expect(rel <= 5e-3, "\(format): logits relative error \(rel)")
        #expect(rel > 0, "the emulated fp16 path should differ slightly from Float32")
        let text = try TinyCheckpoint.sampleText(cpuModel, windows: [64, 64, 64, 40], seed: 5)
        let p = try Perplexity.evaluate(model: cpuModel, tokens: text, context: 64)
        let q = try Perplexity.evaluate(model: gpuModel, tokens: text, context: 64)
        #expect(abs(p.perplexity - q.perplexity) / p.perplexity <= 1e-3, "\(format): perplexity \(p.perplexity) vs \(q.perplexity)")
        #expect(p.perplexity.isFinite && p.perplexity > 1.5, "a degenerate model: perplexity \(p.perplexity)")
    }

    static var haveGPU: Bool { (try? CUDA.shared().context()) != nil }

    /// --device choices on this machine: the format check comes first (no GPU needed), then the device.
    @Test func deviceChoicesWithoutAGPU() throws {
        let dir = TinyCheckpoint.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let int4 = try TinyCheckpoint.write(format: "int4", directory: dir)
        do {
            _ = try ModelPlacement.load(path: int4, device: .cuda)
            Issue.record("--device cuda accepted an int4 checkpoint")
        } catch let error as LowBitError {
            #expect(error.message.contains("int4 asymmetric") && error.message.contains("blk.0.attn_k.weight"), "\(error)")
        }
        let auto = try ModelPlacement.load(path: int4, device: .auto)
        #expect(auto.runtime == nil && auto.device == "cpu")
        #expect(auto.notes.first?.contains("--device auto: using the CPU") == true && auto.notes.first?.contains("int4") == true)

        let fp6 = try TinyCheckpoint.write(format: "fp6", directory: dir)
        let cpu = try ModelPlacement.load(path: fp6, device: .cpu)
        #expect(cpu.runtime == nil && cpu.notes.isEmpty)
        guard !Self.haveGPU else { return }  // below: what a machine without a usable GPU says
        do {
            _ = try ModelPlacement.load(path: fp6, device: .cuda)
            Issue.record("--device cuda loaded without a GPU")
        } catch let error as LowBitError {
            #expect(error.kind == .device && error.message.contains("CUDA unavailable"), "\(error)")
        }
        let fallback = try ModelPlacement.load(path: fp6, device: .auto)
        #expect(fallback.runtime == nil && fallback.notes.first?.contains("--device auto: using the CPU") == true)
    }

    @Test(.enabled(if: Assets.haveModel)) func ggufModelsHaveNoGPUPath() throws {
        do {
            _ = try ModelPlacement.load(path: Assets.modelPath, device: .cuda)
            Issue.record("--device cuda accepted a GGUF file")
        } catch let error as LowBitError {
            #expect(error.message.contains("GGUF") && error.message.contains("lowbit quantize"), "\(error)")
        }
        let auto = try ModelPlacement.load(path: Assets.modelPath, device: .auto)
        #expect(auto.runtime == nil && auto.notes.first?.contains("GGUF") == true)
    }
}
