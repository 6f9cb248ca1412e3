// Core kernels of the CUDA backend: memory-roofline probes, the spin kernel the timing harness queues work
// behind, and device-side random fills for benchmarks. Compiled at run time by NVRTC (see docs/cuda.md).
#include <cuda_fp16.h>
#include <cuda_bf16.h>

// Streams `count16` 16-byte vectors through the SMs and adds every 32-bit word (wrapping) into *sum.
// Four independent 16-byte loads per thread per iteration keep many requests in flight; the sum keeps the
// loads alive and lets the self-test check every byte was read.
extern "C" __global__ void __launch_bounds__(256)
lowbit_read_sum(const uint4* __restrict__ data, unsigned long long count16, unsigned int* __restrict__ sum) {
    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
    unsigned int acc = 0;
    for (; i + 3 * stride < count16; i += 4 * stride) {
        uint4 a = __ldcs(data + i);
        uint4 b = __ldcs(data + i + stride);
        uint4 c = __ldcs(data + i + 2 * stride);
        uint4 d = __ldcs(data + i + 3 * stride);
        acc += (a.x + a.y + a.z + a.w) + (b.x + b.y + b.z + b.w) + (c.x + c.y + c.z + c.w) + (d.x + d.y + d.z + d.w);
    }
    for (; i < count16; i += stride) {
        uint4 a = __ldcs(data + i);
        acc += a.x + a.y + a.z + a.w;
    }
    for (int offset = 16; offset > 0; offset >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, offset);
    if ((threadIdx.x & 31) == 0) atomicAdd(sum, acc);
}

// Copies `count16` 16-byte vectors, grid-stride, four in flight per thread.
extern "C" __global__ void __launch_bounds__(256)
lowbit_copy16(const uint4* __restrict__ src, uint4* __restrict__ dst, unsigned long long count16) {
    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
    for (; i + 3 * stride < count16; i += 4 * stride) {
        uint4 a = __ldcs(src + i);
        uint4 b = __ldcs(src + i + stride);
        uint4 c = __ldcs(src + i + 2 * stride);
        uint4 d = __ldcs(src + i + 3 * stride);
        __stcs(dst + i, a);
        __stcs(dst + i + stride, b);
        __stcs(dst + i + 2 * stride, c);
        __stcs(dst + i + 3 * stride, d);
    }
    for (; i < count16; i += stride) __stcs(dst + i, __ldcs(src + i));
}

// Busy-waits for `nanoseconds` of the GPU's global timer, in one thread. The timing harness queues it first
// so that the host can enqueue every timed repetition before the GPU reaches them.
extern "C" __global__ void lowbit_spin(unsigned long long nanoseconds) {
    unsigned long long start, now;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
    do {
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
    } while (now - start < nanoseconds);
}

// Counter-based random numbers (a 64-bit mix of seed and index): the same values for the same seed on
// every launch configuration, so a CPU can reproduce them.
__device__ __forceinline__ float lowbit_uniform(unsigned long long seed, unsigned long long index) {
    unsigned long long z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    // 24 random bits -> [-1, 1)
    return (float)(z >> 40) * (2.0f / 16777216.0f) - 1.0f;
}

extern "C" __global__ void __launch_bounds__(256)
lowbit_fill_uniform_f16(__half* __restrict__ out, unsigned long long count, unsigned long long seed, float scale) {
    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += stride)
        out[i] = __float2half_rn(lowbit_uniform(seed, i) * scale);
}

extern "C" __global__ void __launch_bounds__(256)
lowbit_fill_uniform_bf16(__nv_bfloat16* __restrict__ out, unsigned long long count, unsigned long long seed, float scale) {
    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += stride)
        out[i] = __float2bfloat16_rn(lowbit_uniform(seed, i) * scale);
}

extern "C" __global__ void __launch_bounds__(256)
lowbit_fill_u32(unsigned int* __restrict__ out, unsigned long long count, unsigned long long seed) {
    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += stride) {
        unsigned long long z = seed + (i + 1) * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        out[i] = (unsigned int)(z ^ (z >> 31));
    }
}

// A template, to show (and test) how templated kernels are named: `lowbit_axpb<float>` etc.
// y[i] = a * x[i] + b, for the self-test of the launch path with scalar arguments of several types.
template <typename T>
__global__ void lowbit_axpb(const T* __restrict__ x, T* __restrict__ y, int n, float a, float b) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = (T)(a * (float)x[i] + b);
}

// Uses dynamic shared memory beyond 48 KB (needs the opt-in attribute): reverses each block's chunk of x
// through shared memory. Checks that the launcher raises the limit.
extern "C" __global__ void lowbit_shared_reverse(const float* __restrict__ x, float* __restrict__ y, int n, int chunk) {
    extern __shared__ float tile[];
    int base = blockIdx.x * chunk;
    for (int i = threadIdx.x; i < chunk; i += blockDim.x)
        tile[i] = (base + i < n) ? x[base + i] : 0.0f;
    __syncthreads();
    for (int i = threadIdx.x; i < chunk; i += blockDim.x)
        if (base + i < n) y[base + i] = tile[chunk - 1 - i];
}
