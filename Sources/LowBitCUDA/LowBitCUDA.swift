/// The CUDA backend: driver API, NVRTC and cuBLAS loaded with dlopen.
public enum LowBitCUDAModule {}
