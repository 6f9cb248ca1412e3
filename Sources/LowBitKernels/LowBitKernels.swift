/// CPU kernels: Swift SIMD, multi-threaded.
public enum LowBitKernelsModule {}
