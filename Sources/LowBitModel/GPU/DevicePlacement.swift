import Foundation
import LowBitCore
import LowBitCUDA

/// Where one linear tensor of a model runs, and why.
public struct LayerPlacement: Sendable, Equatable {
    public let tensor: String
    /// The checkpoint's codec ("fp6 e3m2", "nf4", "int8 symmetric"), or "float" for an unquantized tensor.
    public let codec: String
    public let kernel: GPUKernelChoice

    public var onGPU: Bool { kernel.isSupported }
    /// Transformer-block layers (the ones a format applies to); the embedding / output head are not.
    public var isBlockLayer: Bool { tensor.hasPrefix("blk.") }
}

/// The device decision for every quantized tensor of a LowBit checkpoint (pure: no GPU needed).
///
/// Policy (docs/gpu-model.md): on `--device cuda` every quantized transformer-block layer must have a GPU
/// kernel, else the command fails naming the tensor, its format and why (no silent CPU fallback for the layers
/// the user quantized for the GPU). Layers outside the blocks whose format has no kernel (the int8 embedding /
/// tied output head that `lowbit quantize` writes by default) and float layers run on the CPU, listed in the
/// placement note. `--device auto` falls back to the CPU for the whole model, with a note, where `cuda` fails.
public struct PlacementPlan: Sendable {
    public let source: String
    public let layers: [LayerPlacement]

    public init(source: String, layers: [LayerPlacement]) {
        self.source = source
        self.layers = layers
    }

    /// The plan for a checkpoint's quantized tensors (sorted by name).
    public init(checkpoint: LowBitCheckpointWeights) {
        let tensors = checkpoint.config?.tensors ?? [:]
        self.init(source: checkpoint.sourceDescription, layers: tensors.keys.sorted().map { name in
            LayerPlacement(tensor: name, codec: tensors[name]!.codec, kernel: GPUKernelChoice.choose(for: tensors[name]!))
        })
    }

    public func placement(of tensor: String) -> LayerPlacement? { layers.first { $0.tensor == tensor } }

    /// Why the model cannot run its quantized layers on the GPU (nil: it can): a block layer whose format has no
    /// GPU kernel, or no quantized block layer at all.
    public var gpuBlocker: String? {
        let blocks = layers.filter(\.isBlockLayer)
        if let bad = blocks.first(where: { !$0.onGPU }), case .unsupported(let why) = bad.kernel {
            let count = blocks.filter { !$0.onGPU }.count
            return "\(source): \(bad.tensor) is \(bad.codec), which has no GPU kernel (\(why))"
                + (count > 1 ? "; \(count - 1) more layer(s) likewise" : "")
        }
        if blocks.isEmpty { return "\(source) has no quantized transformer layers (a float checkpoint)" }
        return nil
    }

    /// Throws (for `--device cuda`) unless every quantized block layer has a GPU kernel.
    public func requireGPUKernels() throws {
        if let why = gpuBlocker {
            throw LowBitError.unsupported(
                "--device cuda: \(why). GPU formats: \(GPUKernelChoice.supportedSummary). Run it with --device cpu.")
        }
    }

    /// One line: what runs where, e.g. "210 linear layers on the GPU (fp6 e3m2 via TC-FPx); on the CPU:
    /// token_embd.weight (int8 symmetric: …)".
    public var summary: String {
        let gpu = layers.filter(\.onGPU)
        var kinds: [String] = []
        for layer in gpu {
            let kind = "\(layer.codec) via \(layer.kernel.kernelName!)"
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        var text = "\(gpu.count) linear layer(s) on the GPU (\(kinds.joined(separator: ", ")); fp16 activations)"
        let cpu = layers.filter { !$0.onGPU }
        if !cpu.isEmpty {
            let list = cpu.prefix(4).map { layer -> String in
                if case .unsupported(let why) = layer.kernel { return "\(layer.tensor) (\(layer.codec): \(why))" }
                return layer.tensor
            }
            text += "; on the CPU: " + list.joined(separator: ", ") + (cpu.count > 4 ? ", … (\(cpu.count) in all)" : "")
        }
        return text
    }
}

/// A checkpoint's tensors with the layers the plan puts on the GPU built by `makeLayer` (uploaded kernels in
/// normal use; a host emulation in CPU tests); everything else comes from the checkpoint as on the CPU.
public final class PlacedWeights: WeightSource, @unchecked Sendable {  // immutable after init
    public let base: LowBitCheckpointWeights
    public let plan: PlacementPlan
    let makeLayer: (String, GPUWeightMatrix) throws -> any LinearWeight

    public init(base: LowBitCheckpointWeights, plan: PlacementPlan,
                makeLayer: @escaping (String, GPUWeightMatrix) throws -> any LinearWeight) {
        self.base = base
        self.plan = plan
        self.makeLayer = makeLayer
    }

    public var sourceDescription: String { base.sourceDescription }
    public var tensorNames: [String] { base.tensorNames }
    public func shape(of name: String) -> [Int]? { base.shape(of: name) }
    public func payload(_ name: String) throws -> TensorPayload { try base.payload(name) }
    public func embedding(_ name: String, rows: Int, cols: Int) throws -> any EmbeddingTable {
        try base.embedding(name, rows: rows, cols: cols)
    }

    public func linear(_ name: String, rows: Int, cols: Int) throws -> any LinearWeight {
        guard let placement = plan.placement(of: name), placement.onGPU,
              let layout = base.config?.tensors[name] else {
            return try base.linear(name, rows: rows, cols: cols)
        }
        let matrix = try GPUWeightMatrix(name: name, layout: layout, bytes: try base.bytes(of: name, layout),
                                         kernel: placement.kernel)
        guard matrix.rows == rows, matrix.columns == cols else {
            throw LowBitError.shapeMismatch("\(sourceDescription): tensor \(name) is [\(matrix.rows), \(matrix.columns)], expected [\(rows), \(cols)]")
        }
        do {
            return try makeLayer(name, matrix)
        } catch let error as LowBitError {
            throw LowBitError(error.kind, "\(sourceDescription): placing \(name) on the GPU: \(error.message)")
        }
    }
}

/// A model loaded for a `--device` choice: the model, where its layers run, and (on the GPU) the runtime whose
/// errors `finish()` reports.
public struct PlacedModel: Sendable {
    public let loaded: LoadedModel
    /// "cpu" or the GPU's name.
    public let device: String
    /// Lines for stderr: fallbacks (auto) and the placement summary.
    public let notes: [String]
    public let runtime: GPULinearRuntime?
    public let plan: PlacementPlan?

    /// Throws the first GPU error of the run (call after the work; a no-op on the CPU).
    public func check() throws { try runtime?.check() }
}

public enum ModelPlacement {
    /// Loads `path` for `--device`: `cpu` is exactly `ModelLoader.load`; `cuda` puts every quantized layer with a
    /// GPU kernel on the GPU (failing with the reason when there is no GPU or a block layer's format has no
    /// kernel); `auto` does the same when it can and otherwise falls back to the CPU with a note saying why.
    public static func load(path: String, device: DeviceChoice, poisonOutputs: Bool = false) throws -> PlacedModel {
        func cpu(_ notes: [String]) throws -> PlacedModel {
            PlacedModel(loaded: try ModelLoader.load(path: path), device: "cpu", notes: notes, runtime: nil, plan: nil)
        }
        if device == .cpu { return try cpu([]) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LowBitError.notFound("\(path): no such model file or directory")
        }
        guard !isDirectory.boolValue, LowBitCheckpoint.looksLikeCheckpoint(path: path) else {
            let kind = isDirectory.boolValue ? "a Hugging Face folder" : "a GGUF file"
            let why = "\(path) is \(kind); the GPU kernels run LowBit checkpoints (\(GPUKernelChoice.supportedSummary)): "
                + "make one with `lowbit quantize \(path) --format fp6` (or nf4)"
            if device == .cuda { throw LowBitError.unsupported("--device cuda: \(why), or use --device cpu") }
            return try cpu(["--device auto: using the CPU (\(why))"])
        }
        let checkpoint = try LowBitCheckpointWeights(path: path)
        let plan = PlacementPlan(checkpoint: checkpoint)
        if device == .auto, let why = plan.gpuBlocker { return try cpu(["--device auto: using the CPU (\(why))"]) }
        try plan.requireGPUKernels()
        let context: CUDAContext
        switch try device.resolve() {
        case .cuda(let c): context = c
        case .cpu(let note): return try cpu(note.map { [$0] } ?? [])
        }
        let runtime = try GPULinearRuntime(context: context, poisonOutputs: poisonOutputs)
        let weights = PlacedWeights(base: checkpoint, plan: plan) { name, matrix in
            try GPULinear.make(name: name, matrix: matrix, runtime: runtime)
        }
        let loaded = try LowBitCheckpoint.loadModel(path: path, checkpoint: checkpoint, layers: weights)
        let name = context.properties.name
        return PlacedModel(loaded: loaded, device: name, notes: ["placed on \(name): \(plan.summary)"],
                           runtime: runtime, plan: plan)
    }
}
