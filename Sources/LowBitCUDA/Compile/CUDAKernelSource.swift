import LowBitCore

/// One `.cu` file embedded in the binary and the kernels to take from it.
///
/// Adding a kernel file (see docs/cuda.md):
///   1. put `Kernels/<name>.cu` in Sources/LowBitCUDA/Kernels and add `.embedInCode("Kernels/<name>.cu")` to the
///      LowBitCUDA target's `resources` in Package.swift;
///   2. in your own Swift file: `extension CUDAKernelSource { static let mine = CUDAKernelSource(name: "mine",
///      code: PackageResources.mine_cu, kernels: ["my_kernel", "my_template<128, 4>"]) }`;
///   3. add `.mine` to `CUDAKernelSources.all` (one line) so `lowbit selftest` and CI compile it.
///
/// Kernel names are NVRTC *name expressions*: an `extern "C"` name, or a template instantiation written as
/// in C++ (`gemm<half, 128>`). Each is registered with nvrtcAddNameExpression, which instantiates the
/// template; its mangled name comes back from nvrtcGetLoweredName, and `CUDAModule.function(_:)` takes the
/// same expression. Compile-time constants can also come from `defines` (one module per define set).
public struct CUDAKernelSource: Sendable, Hashable {
    /// Short unique name (the file name without .cu); used in messages and cache file names.
    public let name: String
    public let code: String
    /// Name expressions of every kernel to compile.
    public let kernels: [String]
    /// Spill bytes (stores + loads) each kernel may have before CI fails; 0 (the default) for unlisted ones.
    public let allowedSpillBytes: [String: Int]
    /// Extra NVRTC options (e.g. "-maxrregcount=128"); `--gpu-architecture`, `-I`, `--std` are added.
    public let options: [String]

    public init(name: String, code: [UInt8], kernels: [String], allowedSpillBytes: [String: Int] = [:], options: [String] = []) {
        self.init(name: name, code: String(decoding: code, as: UTF8.self), kernels: kernels,
                  allowedSpillBytes: allowedSpillBytes, options: options)
    }

    public init(name: String, code: String, kernels: [String], allowedSpillBytes: [String: Int] = [:], options: [String] = []) {
        self.name = name
        self.code = code
        self.kernels = kernels
        self.allowedSpillBytes = allowedSpillBytes
        self.options = options
    }
}

/// A header (`.cuh`) served to NVRTC from memory, so `#include "name.cuh"` works in every kernel source.
public struct CUDAHeader: Sendable, Hashable {
    public let name: String
    public let code: String
    public init(name: String, code: [UInt8]) { self.name = name; self.code = String(decoding: code, as: UTF8.self) }
    public init(name: String, code: String) { self.name = name; self.code = code }
}

extension CUDAKernelSource {
    /// Roofline probes, the timing harness's spin kernel, random fills, and launch-path test kernels.
    public static let core = CUDAKernelSource(
        name: "lowbit_core",
        code: PackageResources.lowbit_core_cu,
        kernels: [
            "lowbit_read_sum", "lowbit_copy16", "lowbit_spin",
            "lowbit_fill_uniform_f16", "lowbit_fill_uniform_bf16", "lowbit_fill_u32",
            "lowbit_axpb<float>", "lowbit_axpb<__half>", "lowbit_shared_reverse",
        ])
}
