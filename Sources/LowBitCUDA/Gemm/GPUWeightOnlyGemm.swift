import LowBitCore

/// Element type of the activations X and outputs Y of a weight-only GEMM on the GPU.
public enum GPUActivationType: String, CaseIterable, Sendable {
    case float16 = "f16"
    case bfloat16 = "bf16"

    public var byteSize: Int { 2 }
}

/// A weight-only GEMM whose quantized weights already live on the GPU:
///
///     Y[N, OC] = X[N, IC] · Ŵᵀ        Ŵ[OC, IC] = the format's dequantized weights (scales applied)
///
/// X and Y are dense row-major device arrays of `GPUActivationType`; accumulation is at least FP32.
/// Every weight-only GPU format (TC-FPx, FLUTE, …) implements this, so `lowbit bench gemm`, the selftest and
/// the model's linear layers treat them alike. X and Y are device pointers (`buffer.pointer(byteOffset:)`), so a
/// caller can pass slices of larger buffers; `stream` nil is the null stream.
public protocol GPUWeightOnlyGemm: AnyObject, Sendable {
    /// The format's CLI name ("fp6", "fpe2m2", "nf4", …).
    var formatName: String { get }
    var outFeatures: Int { get }
    var inFeatures: Int { get }
    /// Bytes of device memory one call must read for the weights (codes, scales, tables): the numerator of
    /// the roofline time. Padding the implementation adds internally is not counted.
    var weightBytes: Int { get }
    /// Activation types `encode` accepts.
    var supportedActivations: [GPUActivationType] { get }

    /// Enqueues Y = X · Ŵᵀ on `stream` (asynchronous; no synchronization). `x` holds batch × inFeatures and `y`
    /// batch × outFeatures elements of `activation`; `batch` ≥ 1. Throws `LowBitError` for a bad batch, an
    /// unsupported activation type or a failed launch.
    func encode(x: CUDADevicePointer, y: CUDADevicePointer, batch: Int, activation: GPUActivationType,
                stream: CUDAStream?) throws

    /// The dequantized weights Ŵ[rows, 0..<inFeatures] exactly as the kernel sees them (row-major, Float holds
    /// every value of these formats exactly): the CPU reference for selftests.
    func hostDequantizedWeights(rows: Range<Int>) throws -> [Float]

    /// A one-line description of the kernel configuration chosen for `batch` (tile, split-K, path) for bench output.
    func plan(batch: Int) -> String
}

/// Makes GPU GEMMs of the formats it knows, for benches and selftests (models build their layers from real
/// checkpoints through each format's own API).
public protocol GPUWeightOnlyGemmBuilder: Sendable {
    /// CLI names of the formats this builder makes ("fp6", "fp5", "fpe2m3", …).
    var formatNames: [String] { get }
    /// Quantizes random weights (a fixed function of `seed`) of `format` for an OC×IC layer on the host and
    /// uploads them. Throws `LowBitError` for an unknown format or a shape the format cannot represent.
    func makeRandom(format: String, outFeatures: Int, inFeatures: Int, seed: UInt64,
                    context: CUDAContext) throws -> any GPUWeightOnlyGemm
}

/// Every builder `lowbit bench gemm` and the selftest know about. One line per weight-only GPU format family.
public enum GPUWeightOnlyGemmRegistry {
    public static let builders: [any GPUWeightOnlyGemmBuilder] = [
        TCFPxGemmBuilder(),
        FLUTEGemmBuilder(),
    ]

    /// The builder for a format name, or a clear error listing the known names.
    public static func builder(for format: String) throws -> any GPUWeightOnlyGemmBuilder {
        let name = format.lowercased()
        if let b = builders.first(where: { $0.formatNames.contains(name) }) { return b }
        let known = builders.flatMap(\.formatNames).joined(separator: ", ")
        throw LowBitError.invalidArgument("--format", "unknown GPU weight-only format '\(format)' (known: \(known))")
    }
}
