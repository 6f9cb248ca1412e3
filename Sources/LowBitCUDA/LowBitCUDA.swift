/// The CUDA backend: driver API, NVRTC and cuBLAS loaded with dlopen, kernels compiled at run time.
/// The API is described in docs/cuda.md.
public enum LowBitCUDAModule {}
