// swift-tools-version: 6.0
// LowBit: low-bit LLM inference on NVIDIA GPUs and ordinary CPUs.
//
// Layering (each target depends only on those above it):
//   LowBitCore      errors, dtypes, half/bfloat conversion, threading, progress, hashing
//   LowBitFormats   number formats: exact codecs (FPx, lookup tables, bipolar-INT, uniform int, GGML blocks)
//   LowBitIO        model files (safetensors, GGUF) and fetched data (default model, Austen)
//   LowBitKernels   CPU kernels (Swift SIMD, multi-threaded)
//   LowBitCUDA      CUDA backend (driver API, NVRTC, cuBLAS through dlopen) and its embedded .cu kernels
//   LowBitModel     architectures, tokenizers, generation, evaluation
//   LowBitQuantize  turning models into LowBit checkpoints
//   lowbit          the command-line tool
import PackageDescription

// Hot code needs F16C and FMA as real instructions (see docs/development.md); x86-64-v3 turns on
// AVX2, FMA, F16C and POPCNT together. Other architectures get the compiler's defaults.
let simdFlags: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=x86-64-v3"], .when(platforms: [.linux])),
]

let package = Package(
    name: "LowBit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lowbit", targets: ["lowbit"]),
        .library(name: "LowBit", targets: ["LowBitModel", "LowBitQuantize", "LowBitCUDA"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "LowBitCore", swiftSettings: simdFlags),
        .target(name: "LowBitFormats", dependencies: ["LowBitCore"], swiftSettings: simdFlags),
        .target(name: "LowBitIO", dependencies: ["LowBitCore", "LowBitFormats"], swiftSettings: simdFlags),
        // Kernels are optimized in debug builds too: unoptimized SIMD code is ~100x slower, which would make
        // every model test (and `swift run` in debug) unusable.
        .target(name: "LowBitKernels", dependencies: ["LowBitCore", "LowBitFormats"],
                swiftSettings: simdFlags + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(
            name: "LowBitCUDA",
            dependencies: ["LowBitCore", "LowBitFormats"],
            // Every .cu/.cuh file is embedded in the binary (PackageResources.<file>_cu / _cuh byte arrays)
            // and registered in CUDAKernelSources.swift; NVRTC compiles it at run time. One line per file.
            resources: [
                .embedInCode("Kernels/lowbit_core.cu"),
                .embedInCode("Kernels/tcfpx_gemm.cu"),
                .embedInCode("Kernels/wgmma_common.cu"),
                .embedInCode("Kernels/tcfpx_wgmma.cu"),
                .embedInCode("Kernels/flute.cu"),
                .embedInCode("Kernels/flute_wgmma.cu"),
            ],
            swiftSettings: simdFlags),
        .target(
            name: "LowBitModel",
            dependencies: ["LowBitCore", "LowBitFormats", "LowBitIO", "LowBitKernels", "LowBitCUDA"],
            swiftSettings: simdFlags),
        .target(
            name: "LowBitQuantize",
            dependencies: ["LowBitCore", "LowBitFormats", "LowBitIO", "LowBitKernels", "LowBitModel"],
            swiftSettings: simdFlags),
        .executableTarget(
            name: "lowbit",
            dependencies: [
                "LowBitCore", "LowBitFormats", "LowBitIO", "LowBitKernels", "LowBitCUDA", "LowBitModel",
                "LowBitQuantize",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: simdFlags),

        .testTarget(name: "LowBitCoreTests", dependencies: ["LowBitCore"]),
        .testTarget(name: "LowBitFormatsTests", dependencies: ["LowBitFormats"]),
        .testTarget(name: "LowBitIOTests", dependencies: ["LowBitIO"]),
        .testTarget(name: "LowBitKernelsTests", dependencies: ["LowBitKernels"]),
        .testTarget(name: "LowBitCUDATests", dependencies: ["LowBitCUDA"]),
        .testTarget(name: "LowBitModelTests", dependencies: ["LowBitModel"], exclude: ["Fixtures"]),
        .testTarget(name: "LowBitQuantizeTests", dependencies: ["LowBitQuantize"]),
        .testTarget(name: "LowBitCLITests", dependencies: ["lowbit"]),
    ]
)
