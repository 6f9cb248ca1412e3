/// Every embedded kernel source: `lowbit selftest` compiles each for the device, and
/// scripts/ci-cuda-compile.sh for sm_80 and sm_90a. Teammates add one line each.
public enum CUDAKernelSources {
    public static let all: [CUDAKernelSource] = [
        .core,
        .tcfpx,
        .tcfpxWgmma,
        .flute,
        .fluteWgmma,
    ]

    /// Headers every source may `#include "<name>"` (served from memory). One line per `.cuh` file.
    public static let headers: [CUDAHeader] = [
    ]
}
