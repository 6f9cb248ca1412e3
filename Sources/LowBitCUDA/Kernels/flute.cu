// FLUTE-style lookup-table weight-only GEMM for decode batch sizes (LowBit, Hopper/Ampere, mma.sync).
//
//   Y[m, n] = sum_k X[m, k] * table[code[n, k]] * scale[n, k / G]      (X: M x K row-major, Y: M x N row-major)
//
// Header-free (NVRTC needs no include path): 16-bit values travel as raw bits, arithmetic is inline PTX.
// Compile-time parameters (-D): FLUTE_BITS (2, 3, 4), FLUTE_NT (batch tiles of 8 rows, 1..8),
// FLUTE_BF16 (0: fp16 activations/table/scales/output, 1: bf16), FLUTE_WARPS (warps per CTA),
// FLUTE_PREFETCH (chunks of weights in flight per warp).
//
// Weights are the MMA's A operand (16 output rows x 16 k), activations B (16 k x 8 batch rows). The packed
// layout (FLUTELayout.swift) gives each lane one 128-bit load per chunk of 4*KL inputs; inside a chunk the
// K order is permuted so lane (g, t) covers inputs t*KL .. t*KL+KL-1 in both operands (any bijection of K
// applied to A and B leaves the product unchanged). Pair index -> half2 through a 2^(2b)-entry table kept in
// shared memory in 32 copies (entry e, copy l at word e*32 + l; lane l reads copy l: conflict-free).
//
// Work split: Stream-K at warp granularity. The (row tile, chunk) items are linearized chunk-fastest, which
// is exactly the order of the packed vectors, and each warp of the persistent grid takes one contiguous
// range: its weight stream is contiguous and the register prefetch runs across row-tile boundaries. A row
// tile shared by several warps is reduced deterministically: every contributor stores its fp32 partial, the
// last one to arrive (atomic counter) adds all partials in warp order, so the result does not depend on
// arrival order (bit-identical run to run). The last one also resets the counter to 0 for the next launch.

#ifndef FLUTE_BITS
#define FLUTE_BITS 4
#endif
#ifndef FLUTE_NT
#define FLUTE_NT 1
#endif
#ifndef FLUTE_BF16
#define FLUTE_BF16 0
#endif
#ifndef FLUTE_WARPS
#define FLUTE_WARPS 8
#endif
#ifndef FLUTE_PREFETCH
#define FLUTE_PREFETCH 4
#endif

typedef unsigned int u32;
typedef unsigned short u16;
typedef long long i64;

#define KL (FLUTE_BITS == 4 ? 16 : 32)   // inputs per lane per chunk
#define CK (4 * KL)                        // inputs per chunk
#define STEPS (KL / 4)                     // mma k16 steps per chunk
#define LUT_ENTRIES (1 << (2 * FLUTE_BITS))

__device__ __forceinline__ uint4 load_stream(const uint4* p) {
    uint4 v;
    asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0,%1,%2,%3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}

__device__ __forceinline__ uint2 load_stream2(const uint2* p) {
    uint2 v;
    asm volatile("ld.global.nc.L1::no_allocate.v2.u32 {%0,%1}, [%2];" : "=r"(v.x), "=r"(v.y) : "l"(p));
    return v;
}

__device__ __forceinline__ u32 mul2(u32 a, u32 b) {
    u32 r;
#if FLUTE_BF16
    asm("mul.rn.bf16x2 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b));
#else
    asm("mul.rn.f16x2 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b));
#endif
    return r;
}

__device__ __forceinline__ void mma(float* c, const u32* a, u32 b0, u32 b1) {
#if FLUTE_BF16
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
#else
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
#endif
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ u16 to16(float v) {
    u16 r;
#if FLUTE_BF16
    asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(r) : "f"(v));
#else
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(r) : "f"(v));
#endif
    return r;
}

// Warp that owns linear item x: the largest w with floor(w*T/W) <= x.
__device__ __forceinline__ i64 owner_of(i64 x, i64 total, i64 warps) {
    return ((x + 1) * warps + total - 1) / total - 1;
}

struct Weights {
    uint4 low;
#if FLUTE_BITS == 3
    uint2 high;
#endif
};

// Loads this lane's activations for one chunk: KL consecutive inputs of batch rows n*8 + g (zero outside).
__device__ __forceinline__ void load_x(u32 (&xs)[FLUTE_NT][KL / 2], const u16* __restrict__ x, int M, int inputs,
                                       int ldx, int k0, int g) {
#pragma unroll
    for (int n = 0; n < FLUTE_NT; ++n) {
        const int m = n * 8 + g;
#pragma unroll
        for (int v = 0; v < KL / 8; ++v) {
            uint4 q = make_uint4(0, 0, 0, 0);
            if (m < M && k0 + v * 8 < inputs) q = __ldg((const uint4*)(x + (i64)m * ldx + k0 + v * 8));
            xs[n][4 * v] = q.x; xs[n][4 * v + 1] = q.y; xs[n][4 * v + 2] = q.z; xs[n][4 * v + 3] = q.w;
        }
    }
}

__device__ __forceinline__ float scale_to_float(u32 bits16) {
#if FLUTE_BF16
    return __uint_as_float(bits16 << 16);
#else
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"((u16)bits16));
    return f;
#endif
}

// FLUTE_POST_SCALE = 1 when a whole chunk lies in one scale group (G >= CK, per-row included): the MMA runs on
// the bare table values and the fp32 chunk sum is scaled per row afterwards (fewer instructions, and the scale
// product is not rounded to 16 bits). Otherwise each half2 is scaled before the MMA.
#ifndef FLUTE_POST_SCALE
#define FLUTE_POST_SCALE 0
#endif
// Activations one chunk ahead in registers (FLUTE_XPF = 1) costs KL/2 * NT registers: on for small batch tiles.
#ifndef FLUTE_XPF
#define FLUTE_XPF (FLUTE_NT <= 2)
#endif
// Minimum resident CTAs per SM (register cap for the compiler).
#ifndef FLUTE_MINB
#define FLUTE_MINB 1
#endif

extern "C" __global__ void __launch_bounds__(FLUTE_WARPS * 32, FLUTE_MINB)
flute_gemm(const uint4* __restrict__ codes,      // packed vectors, (row tile, chunk, lane)
           const uint2* __restrict__ codesHigh,  // 3-bit: 1-bit plane, same indexing; else unused
           const u32* __restrict__ scales,       // (row tile, group, g): rows g | g+8 << 16
           const u32* __restrict__ pairTable,    // LUT_ENTRIES words
           const u16* __restrict__ x,            // M x ldx (ldx % 8 == 0, inputs % 8 == 0)
           u16* __restrict__ y,                  // M x outputs
           float* __restrict__ workspace,        // gridDim.x * FLUTE_WARPS * 2 * (4 * FLUTE_NT) * 32 floats
           u32* __restrict__ counters,           // rowTiles, zero before and after
           int M, int outputs, int inputs, int ldx, int rowTiles, int chunks, int groupsPerRow,
           int groupShift) {
    extern __shared__ u32 lut[];  // LUT_ENTRIES * 32
    const int lane = threadIdx.x & 31;
    const int g = lane >> 2, t = lane & 3;
    const i64 total = (i64)rowTiles * chunks;
    // Never more warps than items: then every warp's range is non-empty and the warps sharing a row tile are
    // exactly owner(first chunk) .. owner(last chunk).
    const i64 launched = (i64)gridDim.x * FLUTE_WARPS;
    const i64 totalWarps = launched < total ? launched : total;
    const i64 warp = (i64)blockIdx.x * FLUTE_WARPS + (threadIdx.x >> 5);
    const i64 lo = warp < totalWarps ? warp * total / totalWarps : total;
    const i64 hi = warp < totalWarps ? (warp + 1) * total / totalWarps : total;

    // Start the weight stream before filling the table so the first loads overlap it.
    Weights buf[FLUTE_PREFETCH];
#pragma unroll
    for (int i = 0; i < FLUTE_PREFETCH; ++i) {
        if (lo + i < hi) {
            buf[i].low = load_stream(codes + (lo + i) * 32 + lane);
#if FLUTE_BITS == 3
            buf[i].high = load_stream2(codesHigh + (lo + i) * 32 + lane);
#endif
        }
    }
    int rt = (int)(lo / chunks), c = (int)(lo - (i64)rt * chunks);
    // Activations and scales of the current chunk, loaded one chunk ahead.
    u32 xs[FLUTE_NT][KL / 2];
    u32 sw = 0;
    if (lo < hi) {
        load_x(xs, x, M, inputs, ldx, c * CK + t * KL, g);
        sw = __ldg(scales + ((i64)rt * groupsPerRow + ((c * CK + t * KL) >> groupShift)) * 8 + g);
    }
    // 32 copies of each entry as 8 16-byte stores; 8 consecutive threads cover one entry (conflict-free).
    for (int i = threadIdx.x; i < LUT_ENTRIES * 8; i += FLUTE_WARPS * 32) {
        const u32 v = __ldg(pairTable + (i >> 3));
        *(uint4*)(lut + (i >> 3) * 32 + (i & 7) * 4) = make_uint4(v, v, v, v);
    }
    __syncthreads();
    if (lo >= hi) return;
    const u32* myLut = lut + lane;

    float acc[FLUTE_NT][4];
#pragma unroll
    for (int n = 0; n < FLUTE_NT; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;
    i64 segmentStart = lo;

    for (i64 base = lo; base < hi; base += FLUTE_PREFETCH) {
#pragma unroll
        for (int i = 0; i < FLUTE_PREFETCH; ++i) {
            const i64 p = base + i;
            if (p >= hi) break;
            const Weights w = buf[i];
            if (p + FLUTE_PREFETCH < hi) {
                buf[i].low = load_stream(codes + (p + FLUTE_PREFETCH) * 32 + lane);
#if FLUTE_BITS == 3
                buf[i].high = load_stream2(codesHigh + (p + FLUTE_PREFETCH) * 32 + lane);
#endif
            }
            // Next chunk's activations and scales (row tile rtn, chunk cn).
            const int cn = (c + 1 == chunks) ? 0 : c + 1, rtn = (c + 1 == chunks) ? rt + 1 : rt;
            u32 swn = 0;
            if (p + 1 < hi)
                swn = __ldg(scales + ((i64)rtn * groupsPerRow + ((cn * CK + t * KL) >> groupShift)) * 8 + g);
#if FLUTE_XPF
            u32 xn[FLUTE_NT][KL / 2];
            if (p + 1 < hi) load_x(xn, x, M, inputs, ldx, cn * CK + t * KL, g);
#endif
            const u32 words[4] = {w.low.x, w.low.y, w.low.z, w.low.w};
#if FLUTE_POST_SCALE
            float part[FLUTE_NT][4];
#pragma unroll
            for (int n = 0; n < FLUTE_NT; ++n) part[n][0] = part[n][1] = part[n][2] = part[n][3] = 0.f;
#else
            const u32 sLow = (sw & 0xffffu) * 0x10001u;   // scale of row g in both halves
            const u32 sHigh = (sw >> 16) * 0x10001u;      // scale of row g + 8
#endif
#pragma unroll
            for (int j = 0; j < STEPS; ++j) {
                u32 e[4];
#if FLUTE_BITS == 4
#pragma unroll
                for (int q = 0; q < 4; ++q) e[q] = (words[j] >> (8 * q)) & 0xffu;
#elif FLUTE_BITS == 2
#pragma unroll
                for (int q = 0; q < 4; ++q) e[q] = (words[j >> 1] >> (16 * (j & 1) + 4 * q)) & 0xfu;
#else
                const u32 hw = (j < 4) ? w.high.x : w.high.y;
#pragma unroll
                for (int q = 0; q < 4; ++q)
                    e[q] = ((words[j >> 1] >> (16 * (j & 1) + 4 * q)) & 0xfu) |
                           (((hw >> (8 * (j & 3) + 2 * q)) & 0x3u) << 4);
#endif
                u32 a[4];
#if FLUTE_POST_SCALE
#pragma unroll
                for (int q = 0; q < 4; ++q) a[q] = myLut[e[q] << 5];
#pragma unroll
                for (int n = 0; n < FLUTE_NT; ++n) mma(part[n], a, xs[n][2 * j], xs[n][2 * j + 1]);
#else
#pragma unroll
                for (int q = 0; q < 4; ++q) a[q] = mul2(myLut[e[q] << 5], (q & 1) ? sHigh : sLow);
#pragma unroll
                for (int n = 0; n < FLUTE_NT; ++n) mma(acc[n], a, xs[n][2 * j], xs[n][2 * j + 1]);
#endif
            }
#if FLUTE_POST_SCALE
            {
                const float fLow = scale_to_float(sw & 0xffffu), fHigh = scale_to_float(sw >> 16);
#pragma unroll
                for (int n = 0; n < FLUTE_NT; ++n) {
                    acc[n][0] = fmaf(part[n][0], fLow, acc[n][0]);
                    acc[n][1] = fmaf(part[n][1], fLow, acc[n][1]);
                    acc[n][2] = fmaf(part[n][2], fHigh, acc[n][2]);
                    acc[n][3] = fmaf(part[n][3], fHigh, acc[n][3]);
                }
            }
#endif
#if FLUTE_XPF
#pragma unroll
            for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
                for (int v = 0; v < KL / 2; ++v) xs[n][v] = xn[n][v];
#else
            if (p + 1 < hi) load_x(xs, x, M, inputs, ldx, cn * CK + t * KL, g);
#endif
            sw = swn;

            // End of a row tile's segment: flush.
            const bool tileEnd = (c == chunks - 1) || (p == hi - 1);
            if (tileEnd) {
                const bool full = (segmentStart == (i64)rt * chunks) && (c == chunks - 1);
                bool write = full;
                if (!full) {
                    const int side = (segmentStart == lo) ? 0 : 1;
                    float* slot = workspace + ((warp * 2 + side) * (4 * FLUTE_NT)) * 32 + lane;
#pragma unroll
                    for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
                        for (int r = 0; r < 4; ++r) __stcg(slot + (n * 4 + r) * 32, acc[n][r]);
                    __threadfence();
                    __syncwarp();
                    const i64 first = owner_of((i64)rt * chunks, total, totalWarps);
                    const i64 last = owner_of((i64)rt * chunks + chunks - 1, total, totalWarps);
                    u32 arrived = 0;
                    if (lane == 0) arrived = atomicAdd(counters + rt, 1u);
                    arrived = __shfl_sync(0xffffffffu, arrived, 0);
                    if (arrived == (u32)(last - first)) {
                        __threadfence();
#pragma unroll
                        for (int n = 0; n < FLUTE_NT; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;
                        for (i64 q = first; q <= last; ++q) {
                            const i64 qlo = q * total / totalWarps;
                            const int qside = (qlo / chunks == rt) ? 0 : 1;
                            const float* src = workspace + ((q * 2 + qside) * (4 * FLUTE_NT)) * 32 + lane;
#pragma unroll
                            for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
                                for (int r = 0; r < 4; ++r) acc[n][r] += __ldcg(src + (n * 4 + r) * 32);
                        }
                        if (lane == 0) counters[rt] = 0;
                        write = true;
                    }
                }
                if (write) {
                    const int row = rt * 16 + g;
#pragma unroll
                    for (int n = 0; n < FLUTE_NT; ++n) {
                        const int m0 = n * 8 + 2 * t;
#pragma unroll
                        for (int r = 0; r < 4; ++r) {
                            const int m = m0 + (r & 1), nrow = row + (r >> 1) * 8;
                            if (m < M && nrow < outputs) y[(i64)m * outputs + nrow] = to16(acc[n][r]);
                        }
                    }
                }
#pragma unroll
                for (int n = 0; n < FLUTE_NT; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;
                segmentStart = p + 1;
            }
            rt = rtn;
            c = cn;
        }
    }
}

// Large-batch path: expand the packed weights into a dense row-major (rows x ldw) matrix for cuBLAS.
// One warp per packed vector (row tile, chunk); each lane writes 8-byte runs of its rows.
extern "C" __global__ void __launch_bounds__(256)
flute_dequantize(const uint4* __restrict__ codes, const uint2* __restrict__ codesHigh, const u32* __restrict__ scales,
                 const u32* __restrict__ pairTable, u16* __restrict__ w, int outputs, int inputs, int ldw,
                 int rowTiles, int chunks, int groupsPerRow, int groupShift, int rtBegin, int rtEnd) {
    __shared__ u32 lut[LUT_ENTRIES];
    for (int i = threadIdx.x; i < LUT_ENTRIES; i += blockDim.x) lut[i] = pairTable[i];
    __syncthreads();
    const int lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
    // Row tiles rtBegin..<rtEnd only; row rtBegin*16 lands in row 0 of w (row chunks for cuBLAS).
    const i64 p = (i64)rtBegin * chunks + (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (p >= (i64)rtEnd * chunks) return;
    const int rt = (int)(p / chunks), c = (int)(p - (i64)rt * chunks);
    const uint4 low = codes[p * 32 + lane];
#if FLUTE_BITS == 3
    const uint2 high = codesHigh[p * 32 + lane];
#endif
    const u32 words[4] = {low.x, low.y, low.z, low.w};
    const int k0 = c * CK + t * KL;
    const u32 sw = scales[((i64)rt * groupsPerRow + (k0 >> groupShift)) * 8 + g];
    const u32 sLow = (sw & 0xffffu) * 0x10001u, sHigh = (sw >> 16) * 0x10001u;
#pragma unroll
    for (int j = 0; j < STEPS; ++j) {
        u32 e[4];
#if FLUTE_BITS == 4
        for (int q = 0; q < 4; ++q) e[q] = (words[j] >> (8 * q)) & 0xffu;
#elif FLUTE_BITS == 2
        for (int q = 0; q < 4; ++q) e[q] = (words[j >> 1] >> (16 * (j & 1) + 4 * q)) & 0xfu;
#else
        const u32 hw = (j < 4) ? high.x : high.y;
        for (int q = 0; q < 4; ++q)
            e[q] = ((words[j >> 1] >> (16 * (j & 1) + 4 * q)) & 0xfu) | (((hw >> (8 * (j & 3) + 2 * q)) & 0x3u) << 4);
#endif
        const int k = k0 + 4 * j;
#pragma unroll
        for (int half = 0; half < 2; ++half) {  // half 0: row g (a0, a2), half 1: row g + 8 (a1, a3)
            const int row = rt * 16 + g + 8 * half;
            const u32 s = half ? sHigh : sLow;
            const u32 v0 = mul2(lut[e[half]], s), v1 = mul2(lut[e[2 + half]], s);
            if (row < outputs) {
                u16* dst = w + (i64)(row - rtBegin * 16) * ldw + k;
                if (k + 4 <= inputs && (ldw & 3) == 0) {
                    *(uint2*)dst = make_uint2(v0, v1);
                } else {
                    const u16 vals[4] = {(u16)v0, (u16)(v0 >> 16), (u16)v1, (u16)(v1 >> 16)};
                    for (int q = 0; q < 4; ++q) if (k + q < inputs) dst[q] = vals[q];
                }
            }
        }
    }
}

// Copies X (M x inputs, any inputs) into a zero-padded M x ldx buffer (ldx % 8 == 0) for flute_gemm.
extern "C" __global__ void flute_pad_activations(const u16* __restrict__ x, u16* __restrict__ xp, int M, int inputs,
                                                 int ldx) {
    const i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (i64)M * ldx) return;
    const int m = (int)(i / ldx), k = (int)(i - (i64)m * ldx);
    xp[i] = k < inputs ? x[(i64)m * inputs + k] : (u16)0;
}
