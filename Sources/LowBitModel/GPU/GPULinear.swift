import LowBitCore
import LowBitCUDA

/// A linear layer whose weights live on the GPU in a low-bit kernel's layout (TC-FPx, FLUTE, any
/// `GPUWeightOnlyGemm`). The forward pass still keeps activations on the host: each call converts the
/// batch to fp16, copies it over, runs one GEMM for all tokens, and copies the fp16 result back
/// (`GPULinearRuntime` owns the stream and staging buffers).
// @unchecked Sendable: immutable after init; calls are serialized by the runtime.
public final class GPULinear: LinearWeight, @unchecked Sendable {
    public let name: String
    public let gemm: any GPUWeightOnlyGemm
    public let runtime: GPULinearRuntime

    public init(name: String, gemm: any GPUWeightOnlyGemm, runtime: GPULinearRuntime) {
        self.name = name
        self.gemm = gemm
        self.runtime = runtime
    }

    public var outFeatures: Int { gemm.outFeatures }
    public var inFeatures: Int { gemm.inFeatures }
    public var weightBytes: Int { gemm.weightBytes }

    public func apply(_ x: UnsafePointer<Float>, tokens: Int, into y: UnsafeMutablePointer<Float>) {
        guard tokens > 0 else { return }
        runtime.apply(gemm, name: name, x: x, tokens: tokens, into: y)
    }

    /// Uploads a checkpoint matrix into the kernel its format maps to.
    public static func make(name: String, matrix: GPUWeightMatrix, runtime: GPULinearRuntime) throws -> GPULinear {
        let gemm: any GPUWeightOnlyGemm
        switch matrix {
        case .fpx(let m):
            gemm = try TCFPxGemm(context: runtime.context, prepared: try TCFPxPreparedWeights(m, name: name))
        case .lut(let m):
            gemm = try FLUTEGemm(context: runtime.context, matrix: m)
        }
        return GPULinear(name: name, gemm: gemm, runtime: runtime)
    }
}
