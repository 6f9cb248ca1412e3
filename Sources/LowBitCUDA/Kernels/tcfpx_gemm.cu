// TC-FPx weight-only GEMM for Ampere/Hopper (mma.sync m16n8k16, FP32 accumulation), compiled by NVRTC once per
// configuration. The host (TCFPxKernelSource.swift) prepends the configuration as #defines:
//   TCFPX_E, TCFPX_M     exponent / mantissa bits of the weight format (1 + E + M = 3…7 bits, E ≤ 4)
//   TCFPX_BF16           0: FP16 activations and outputs, 1: BF16
//   TCFPX_NT             batch columns per CTA in units of 8 (1, 2, 4, 8)
//   TCFPX_MT             16-row M tiles per warp (1 or 2)
//   TCFPX_WARPS          warps per CTA (each owns MT M tiles; all share the CTA's K range and its X tile)
//   TCFPX_STAGES         cp.async pipeline depth (global → shared memory)
//   TCFPX_XALIGNED       1 when IC % 8 == 0 and X is 16-byte aligned (16-byte cp.async of X), else 0
//   TCFPX_ACC2           1: separate accumulators for even and odd k-steps (shorter mma dependency chains)
//   TCFPX_KW             warps along K inside a CTA (1, 2, 4, 8; divides TCFPX_WARPS): each stage holds KW column
//                        tiles, warp (wm, wk) takes column tile wk of it, and the KW partial sums are added in shared
//                        memory at the end (intra-CTA split-K: no second CTA, no atomics). A CTA covers
//                        RT = MT · WARPS / KW row tiles (RT divides 8: the CTA's rows lie in one layout row block).
//
// Computes Y[N, OC] = X[N, IC] · (scale ⊙ FPx(W))ᵀ.
//
// Weight layout (made by TCFPxPacker.swift; see docs/tcfpx.md): the weights are cut into units of 16 rows × 128
// columns, unit (mt, kt) at byte (mt · KT + kt) · 256·W. Inside a unit, each lane of a warp owns 64 values = the
// A fragments of 8 mma k-steps; its bits are stored as power-of-two segments (1+2+4 split of the width W): the
// 4-bit segment as two 512-byte chunks (lane ℓ's uint4 at ℓ·16), then the 2-bit segment (uint4 at ℓ·16), then the
// 1-bit segment (uint2 at ℓ·8), each present only if that bit of W is set. Every lane thus reads its bits with
// 16-byte loads and the warp's loads are contiguous.
//
// Dequantization (exact): per group of 4 values the segment fields are OR-ed into one register with one value per
// byte, left-aligned (s E…E M…M 0…0); a shift moves the E+M bits into the low exponent bits and the mantissa bits of
// an FP16 (BF16) half, giving h = fpx · 2^-(15−bias) (2^-(127−bias)) for normals and subnormals alike. For FP16 the
// factor 2^(15−bias) and the per-row scale are applied once to the FP32 accumulator in the epilogue (scales are per
// output row), so the inner loop has no multiplies. For BF16 the product would fall into FP32's denormal range, so
// the weights are multiplied by 2^(127−bias) (exact) before the mma.
//
// K permutation: a dot product may visit K in any order as long as A and B agree. Within a unit, k-step j of lane
// (g, t) covers physical columns 32·(j/2) + 8t + 4·(j%2) + {0,1,2,3}, so the lane's B fragments for two k-steps are
// one 16-byte shared-memory load. The packer places A with the same permutation.
//
// Split-K: blockIdx.y is the K split. With more than one split either (global) every CTA writes FP32 partials to
// the workspace and the last CTA of an output tile to arrive (an atomic counter) pulls them into shared memory,
// sums them in split order — deterministic — scales, converts, writes Y and resets the counter for the next call;
// or (TCFPX_CLUSTER = S) the S splits are one thread-block cluster that sums through distributed shared memory.
#include <cuda_fp16.h>
#include <cuda_bf16.h>

// Defaults (FP6 e3m2, FP16, N ≤ 16) so the file also compiles on its own (CI's compile-everything pass).
#ifndef TCFPX_E
#define TCFPX_E 3
#endif
#ifndef TCFPX_M
#define TCFPX_M 2
#endif
#ifndef TCFPX_BF16
#define TCFPX_BF16 0
#endif
#ifndef TCFPX_NT
#define TCFPX_NT 2
#endif
#ifndef TCFPX_MT
#define TCFPX_MT 2
#endif
#ifndef TCFPX_WARPS
#define TCFPX_WARPS 4
#endif
#ifndef TCFPX_STAGES
#define TCFPX_STAGES 4
#endif
#ifndef TCFPX_XALIGNED
#define TCFPX_XALIGNED 1
#endif
// 1: even and odd k-steps accumulate into separate registers (summed at the end), halving the dependent chain of
// mma.sync per accumulator (8 → 4 per unit). Opt-in until measured (TCFPxTuning.splitAccumulators).
#ifndef TCFPX_ACC2
#define TCFPX_ACC2 0
#endif
// 1 (sm_90+): the weight part of a stage — one contiguous run of the packed layout — is fetched by a single
// cp.async.bulk (the copy engine) that completes on an mbarrier, instead of 16-byte cp.async by every thread
// (~100 address/predicate instructions per stage per thread, and the LDGSTS path). X stays on cp.async.
#ifndef TCFPX_BULK
#define TCFPX_BULK 0
#endif
// Bench-only probes that leave a stage out (wrong results; never set by the library unless
// LOWBIT_TCFPX_PROBE is): 1 = return at once (launch + dispatch cost of this grid), 2 = no K loop (prologue-free
// epilogue and split-K reduction only), 3 = loads only (pipeline without dequantization and mma), 4 = no weight
// loads (X loads, dequantization and mma on whatever shared memory holds).
#ifndef TCFPX_PROBE
#define TCFPX_PROBE 0
#endif
// 1: split s takes column tiles s, s + splits, s + 2·splits, … instead of one contiguous range, so the CTAs of a
// row block read neighbouring stages of one contiguous region at about the same time (DRAM page locality).
#ifndef TCFPX_KINTERLEAVE
#define TCFPX_KINTERLEAVE 0
#endif
// S = 2…8 (sm_90+): the S K-splits of a tile run as one thread-block cluster (__cluster_dims__(1, S, 1), grid.y = S)
// and reduce through distributed shared memory: each CTA leaves its FP32 partials in its own shared memory, a
// cluster barrier, then CTA r sums elements r, r + S, … of every CTA's partials in split order (deterministic) and
// writes Y. No workspace, fence, atomic counter or L2 round trip in the tail. 0: the global-memory reduction.
#ifndef TCFPX_CLUSTER
#define TCFPX_CLUSTER 0
#endif
#ifndef TCFPX_KW
#define TCFPX_KW 1
#endif
// First column tile of pipeline stage u (a stage holds KW consecutive column tiles).
#if TCFPX_KINTERLEAVE
#define TCFPX_KT(u) (split + (u) * splits)
#else
#define TCFPX_KT(u) (ktBegin + (u) * TCFPX_KW)
#endif

#define TCFPX_W (1 + TCFPX_E + TCFPX_M)
#define TCFPX_L (TCFPX_E + TCFPX_M)
// Two byte layouts (TCFPxGeometry.isSpaced in Swift). Dense (M = 3): byte = s E…E M…M 0…0, segments cut the code
// MSB first by the set bits of W. Spaced (M ≤ 2): byte = s 0…0 E…E M…M 0… with the E+M field already where FP16
// wants it (top field bit at byte bit E + 1), so the FP16 cast is a mask; segments: a sign plane plus the field
// cut by the set bits of E + M.
#if TCFPX_M <= 2
#define TCFPX_SPACED 1
#define TCFPX_HAS1 1                    /* sign plane */
#define TCFPX_HASF1 (TCFPX_L & 1)        /* second 1-bit plane: field MSB */
#define TCFPX_HAS2 ((TCFPX_L & 2) != 0)
#define TCFPX_HAS4 ((TCFPX_L & 4) != 0)
#define TCFPX_POS1 7
#define TCFPX_POSF1 (TCFPX_E + 1)
#define TCFPX_POS2 (TCFPX_E + 1 - (TCFPX_L & 1))
#define TCFPX_POS4 (TCFPX_E + 1 - (TCFPX_L & 1) - (TCFPX_L & 2))
#else
#define TCFPX_SPACED 0
#define TCFPX_HAS1 (TCFPX_W & 1)
#define TCFPX_HASF1 0
#define TCFPX_HAS2 ((TCFPX_W & 2) != 0)
#define TCFPX_HAS4 ((TCFPX_W & 4) != 0)
#define TCFPX_POS1 7
#define TCFPX_POSF1 0
#define TCFPX_POS2 (7 - (TCFPX_W & 1))
#define TCFPX_POS4 (7 - (TCFPX_W & 1) - (TCFPX_W & 2))
#endif
#define TCFPX_ONES (TCFPX_HAS1 + TCFPX_HASF1)   /* 1-bit planes, interleaved per lane (8 bytes each) */
#define TCFPX_UNIT_BYTES (256 * TCFPX_W)
#define TCFPX_TN (8 * TCFPX_NT)
#define TCFPX_WM (TCFPX_WARPS / TCFPX_KW)          /* warps along M */
#define TCFPX_RT (TCFPX_MT * TCFPX_WM)            /* row tiles per CTA */
#define TCFPX_ROWS (16 * TCFPX_RT)
// X stage: KW segments (one per column tile of the stage) of xRows rows of 128 halves, xRows = min(TN, N) (only
// rows that can be live are stored; B fragments of dead rows are zeros in registers). Rows are padded to 320 bytes
// so a warp's 16-byte loads (rows g = 0..7, lanes t = 0..3 at 16-byte steps) touch every bank once per 8-lane phase.
#define TCFPX_XSTRIDE 320
#define TCFPX_ASTAGE_BYTES (TCFPX_KW * TCFPX_RT * TCFPX_UNIT_BYTES)

#if TCFPX_BF16
typedef __nv_bfloat16 act_t;
#else
typedef __half act_t;
#endif

static_assert(TCFPX_W >= 3 && TCFPX_W <= 7, "widths 3..7");
static_assert(TCFPX_WARPS % TCFPX_KW == 0, "KW divides the warps");
static_assert(TCFPX_RT == 1 || TCFPX_RT == 2 || TCFPX_RT == 4 || TCFPX_RT == 8, "a CTA's row tiles lie in one row block");
static_assert(TCFPX_KW == 1 || (!TCFPX_BULK && !TCFPX_KINTERLEAVE), "bulk copy and interleaved splits need KW = 1");

// Units are stored row block by row block (8 row tiles = 128 rows): inside a block, column tile by column tile,
// the block's (up to 8) row tiles side by side. A CTA's pipeline stage is then one contiguous read.
__device__ __forceinline__ size_t unit_index(int mt, int kt, int KT, int MTiles) {
    const int mb = mt >> 3, r = mt & 7;
    const int rb = min(8, MTiles - (mb << 3));
    return (size_t)(mb << 3) * KT + (size_t)kt * rb + r;
}
static_assert(TCFPX_E >= 1 && TCFPX_E <= 4, "E in 1..4 (the FP16 exponent must never be all ones)");

__device__ __forceinline__ unsigned smem_u32(const void* p) {
    return static_cast<unsigned>(__cvta_generic_to_shared(p));
}

__device__ __forceinline__ void cp_async16(void* dst, const void* src) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(smem_u32(dst)), "l"(src));
}

// Copies `bytes` (0..16) and zero-fills the rest of the 16-byte destination.
__device__ __forceinline__ void cp_async16_zfill(void* dst, const void* src, int bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_u32(dst)), "l"(src), "r"(bytes));
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

#if TCFPX_BULK
// mbarrier + bulk copy (PTX ISA 8.0, sm_90). One barrier per stage, one arrival (the issuing thread) plus the
// transaction bytes of the copy; consumers wait on the phase parity of the stage's use count.
__device__ __forceinline__ void mbar_init(unsigned bar, unsigned count) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count));
}
__device__ __forceinline__ void bulk_load(unsigned dst, const void* src, unsigned bytes, unsigned bar) {
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes) : "memory");
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];\n"
                 ::"r"(dst), "l"(src), "r"(bytes), "r"(bar) : "memory");
}
__device__ __forceinline__ void mbar_wait(unsigned bar, unsigned parity) {
    asm volatile(
        "{\n"
        ".reg .pred P1;\n"
        "TCFPX_WAIT:\n"
        "mbarrier.try_wait.parity.shared::cta.b64 P1, [%0], %1;\n"
        "@P1 bra TCFPX_DONE;\n"
        "bra TCFPX_WAIT;\n"
        "TCFPX_DONE:\n"
        "}\n" ::"r"(bar), "r"(parity) : "memory");
}
#endif

template <int N>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

__device__ __forceinline__ void mma16816(float* c, const unsigned* a, unsigned b0, unsigned b1) {
#if TCFPX_BF16
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
#else
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
#endif
}

// Segment words of one lane for one unit.
struct Segments {
    unsigned w4[8];
    unsigned w2[4];
    unsigned w1[2];   // dense: the 1-bit segment; spaced: the sign plane
    unsigned f1[2];   // spaced: the field's 1-bit plane
};

__device__ __forceinline__ void load_segments(Segments& s, const unsigned char* unit, int lane) {
    const unsigned char* p = unit;
#if TCFPX_HAS4
    {
        uint4 v0 = *reinterpret_cast<const uint4*>(p + lane * 16);
        uint4 v1 = *reinterpret_cast<const uint4*>(p + 512 + lane * 16);
        s.w4[0] = v0.x; s.w4[1] = v0.y; s.w4[2] = v0.z; s.w4[3] = v0.w;
        s.w4[4] = v1.x; s.w4[5] = v1.y; s.w4[6] = v1.z; s.w4[7] = v1.w;
        p += 1024;
    }
#endif
#if TCFPX_HAS2
    {
        uint4 v = *reinterpret_cast<const uint4*>(p + lane * 16);
        s.w2[0] = v.x; s.w2[1] = v.y; s.w2[2] = v.z; s.w2[3] = v.w;
        p += 512;
    }
#endif
#if TCFPX_ONES == 2
    {
        uint4 v = *reinterpret_cast<const uint4*>(p + lane * 16);
        s.w1[0] = v.x; s.w1[1] = v.y; s.f1[0] = v.z; s.f1[1] = v.w;
    }
#elif TCFPX_ONES == 1
    {
        uint2 v = *reinterpret_cast<const uint2*>(p + lane * 8);
        s.w1[0] = v.x; s.w1[1] = v.y;
    }
#endif
}

// Moves the top `bits`-wide field of every byte (already masked) so its MSB sits at byte bit `pos`.
#define TCFPX_PLACE(v, pos) ((pos) == 7 ? (v) : ((v) >> (7 - (pos))))

// Group G (0..15) of a lane: one register with one value per byte (layout above), no stray bits.
// Bytes [3,2,1,0] = [aP.hi, aQ.hi, aP.lo, aQ.lo] with (P, Q) = (0, 1) for even G and (2, 3) for odd G.
template <int G>
__device__ __forceinline__ unsigned assemble(const Segments& s) {
    unsigned x = 0;
#if TCFPX_HAS1
    x |= TCFPX_PLACE((s.w1[G >> 3] << (G & 7)) & 0x80808080u, TCFPX_POS1);
#endif
#if TCFPX_HASF1
    x |= TCFPX_PLACE((s.f1[G >> 3] << (G & 7)) & 0x80808080u, TCFPX_POSF1);
#endif
#if TCFPX_HAS2
    x |= TCFPX_PLACE((s.w2[G >> 2] << (2 * (G & 3))) & 0xC0C0C0C0u, TCFPX_POS2);
#endif
#if TCFPX_HAS4
    x |= TCFPX_PLACE((s.w4[G >> 1] << (4 * (G & 1))) & 0xF0F0F0F0u, TCFPX_POS4);
#endif
    return x;
}

// The E+M field bits of bytes 3 and 1, and the shift that moves them into the half's exponent/mantissa.
#if TCFPX_SPACED
#define TCFPX_BYTE_FIELD (((1u << TCFPX_L) - 1u) << (2 - TCFPX_M))
#else
#define TCFPX_BYTE_FIELD ((0x7Fu >> (8 - TCFPX_W)) << (8 - TCFPX_W))
#endif
#define TCFPX_FIELD_MASK ((TCFPX_BYTE_FIELD << 24) | (TCFPX_BYTE_FIELD << 8))
#if TCFPX_BF16
#define TCFPX_SHIFT (TCFPX_SPACED ? 3 : 8 - TCFPX_E)
#else
#define TCFPX_SHIFT (TCFPX_SPACED ? 0 : 5 - TCFPX_E)
#endif

// Two half2 registers (A fragment registers P and Q) from one assembled group.
__device__ __forceinline__ void cast4(unsigned x, unsigned& p, unsigned& q) {
#if TCFPX_SHIFT == 0
    // Spaced bytes are FP16 high bytes already: keep bytes 3, 1 (P) and move bytes 2, 0 up (Q).
    p = x & 0xFF00FF00u;
    q = __byte_perm(x, 0u, 0x2404);
#else
    p = (x & 0x80008000u) | ((x & TCFPX_FIELD_MASK) >> TCFPX_SHIFT);
    unsigned y = x << 8;
    q = (y & 0x80008000u) | ((y & TCFPX_FIELD_MASK) >> TCFPX_SHIFT);
#endif
#if TCFPX_BF16
    // 2^(127 − bias) as BF16: exponent field 254 − bias → bits ((254 − bias) << 7). Exact.
    const unsigned bias = (1u << (TCFPX_E - 1)) - 1u;
    const unsigned short k = (unsigned short)((254u - bias) << 7);
    __nv_bfloat162 kk = __halves2bfloat162(__ushort_as_bfloat16(k), __ushort_as_bfloat16(k));
    __nv_bfloat162 pp = __hmul2(*reinterpret_cast<__nv_bfloat162*>(&p), kk);
    __nv_bfloat162 qq = __hmul2(*reinterpret_cast<__nv_bfloat162*>(&q), kk);
    p = *reinterpret_cast<unsigned*>(&pp);
    q = *reinterpret_cast<unsigned*>(&qq);
#endif
}

__device__ __forceinline__ float act_to_float(act_t v) {
#if TCFPX_BF16
    return __bfloat162float(v);
#else
    return __half2float(v);
#endif
}

__device__ __forceinline__ act_t float_to_act(float v) {
#if TCFPX_BF16
    return __float2bfloat16_rn(v);
#else
    return __float2half_rn(v);
#endif
}

// Factor applied to the FP32 accumulator of row m: scale · 2^(15 − bias) for FP16 (see the header), scale for BF16.
__device__ __forceinline__ float row_factor(const __half* scales, int m) {
    float s = __half2float(scales[m]);
#if TCFPX_BF16
    return s;
#else
    const int bias = (1 << (TCFPX_E - 1)) - 1;
    return s * (float)(1 << (15 - bias));
#endif
}

// Issues the cp.async loads of one pipeline stage: for each of its KW column tiles kt = kt0 + kk < ktLimit, the A
// units of the CTA's RT row tiles (one contiguous run of the packed layout) and X[n0 .. n0 + xLive, 128·kt ..
// 128·kt + 128] (xLive = live batch rows of this CTA; segment kk of X holds xRows rows).
__device__ __forceinline__ void load_stage(unsigned char* stage, const unsigned char* __restrict__ W,
                                           const act_t* __restrict__ X, int kt0, int ktLimit, int KT, int mtBase,
                                           int MTiles, int n0, int N, int IC, int xRows, int xLive, unsigned bar) {
    const int tid = threadIdx.x;
    constexpr int THREADS = TCFPX_WARPS * 32;
    constexpr int chunksPerUnit = TCFPX_UNIT_BYTES / 16;
    constexpr int chunksPerTile = TCFPX_RT * chunksPerUnit;   // one column tile of the CTA's rows
    const int rowsRun = min(TCFPX_RT, MTiles - mtBase);
#if TCFPX_PROBE == 4
    (void)rowsRun; (void)bar; (void)KT;
#elif TCFPX_BULK
    // KW = 1 (static_assert): one contiguous run of rowsRun units.
    if (tid == 0)
        bulk_load(smem_u32(stage), W + unit_index(mtBase, kt0, KT, MTiles) * TCFPX_UNIT_BYTES,
                  (unsigned)(rowsRun * TCFPX_UNIT_BYTES), bar);
#else
    (void)bar;
    const int live = rowsRun * chunksPerUnit;
#if TCFPX_KW == 1
    (void)ktLimit;   // the caller only issues stages inside the range
    const unsigned char* src = W + unit_index(mtBase, kt0, KT, MTiles) * TCFPX_UNIT_BYTES;
#pragma unroll
    for (int c0 = 0; c0 < chunksPerTile; c0 += THREADS) {
        const int c = c0 + tid;
        if (c < live) cp_async16(stage + c * 16, src + c * 16);
    }
#else
#pragma unroll
    for (int c0 = 0; c0 < TCFPX_KW * chunksPerTile; c0 += THREADS) {
        const int c = c0 + tid;
        const int kk = c / chunksPerTile, rem = c % chunksPerTile;   // constant divisors
        const int kt = kt0 + kk;
        if ((TCFPX_KW * chunksPerTile) % THREADS == 0 || c < TCFPX_KW * chunksPerTile)
            if (rem < live && kt < ktLimit)
                cp_async16(stage + c * 16, W + unit_index(mtBase, kt, KT, MTiles) * TCFPX_UNIT_BYTES + rem * 16);
    }
#endif
#endif
    unsigned char* xs = stage + TCFPX_ASTAGE_BYTES;
#if TCFPX_KW == 1
    // X (v5): all TN rows × 16 chunks of 16 bytes (8 halves), zeros past N and IC.
    (void)xRows; (void)xLive;
    const int k0 = kt0 * 128;
#pragma unroll
    for (int c0 = 0; c0 < TCFPX_TN * 16; c0 += THREADS) {
        int c = c0 + tid;
        if ((TCFPX_TN * 16) % THREADS == 0 || c < TCFPX_TN * 16) {
            int r = c >> 4, kc = (c & 15) * 8;
            int n = n0 + r, k = k0 + kc;
            unsigned char* dst = xs + r * TCFPX_XSTRIDE + (c & 15) * 16;
#if TCFPX_XALIGNED
            int valid = (n < N) ? max(0, min(8, IC - k)) : 0;
            const act_t* src = valid > 0 ? X + (size_t)n * IC + k : X;
            cp_async16_zfill(dst, src, valid * 2);
#else
            unsigned short v[8];
#pragma unroll
            for (int e = 0; e < 8; e++) {
                v[e] = 0;
                if (n < N && k + e < IC) v[e] = reinterpret_cast<const unsigned short*>(X)[(size_t)n * IC + k + e];
            }
            uint4 q;
            q.x = v[0] | ((unsigned)v[1] << 16);
            q.y = v[2] | ((unsigned)v[3] << 16);
            q.z = v[4] | ((unsigned)v[5] << 16);
            q.w = v[6] | ((unsigned)v[7] << 16);
            *reinterpret_cast<uint4*>(dst) = q;
#endif
        }
    }
#else
    // X: per column tile, xLive rows × 16 chunks of 16 bytes (8 halves); zeros past IC.
    const int total = xLive * (TCFPX_KW * 16);
    for (int c = tid; c < total; c += THREADS) {
        const int r = c / (TCFPX_KW * 16), rem = c % (TCFPX_KW * 16);
        const int kk = rem >> 4, ch = rem & 15;
        const int kt = kt0 + kk;
        if (kt >= ktLimit) continue;
        const int n = n0 + r, k = kt * 128 + ch * 8;
        unsigned char* dst = xs + (kk * xRows + r) * TCFPX_XSTRIDE + ch * 16;
#if TCFPX_XALIGNED
        const int valid = max(0, min(8, IC - k));
        const act_t* src = valid > 0 ? X + (size_t)n * IC + k : X;
        cp_async16_zfill(dst, src, valid * 2);
#else
        // Rows of X are not 16-byte aligned: ordinary loads, zeros past the edge.
        unsigned short v[8];
#pragma unroll
        for (int e = 0; e < 8; e++) {
            v[e] = 0;
            if (k + e < IC) v[e] = reinterpret_cast<const unsigned short*>(X)[(size_t)n * IC + k + e];
        }
        uint4 q;
        q.x = v[0] | ((unsigned)v[1] << 16);
        q.y = v[2] | ((unsigned)v[3] << 16);
        q.z = v[4] | ((unsigned)v[5] << 16);
        q.w = v[6] | ((unsigned)v[7] << 16);
        *reinterpret_cast<uint4*>(dst) = q;
#endif
    }
    (void)N;
#endif
}

#if TCFPX_CLUSTER > 1
__device__ __forceinline__ void cluster_sync_all() {
    asm volatile("barrier.cluster.arrive.release.aligned;\nbarrier.cluster.wait.acquire.aligned;\n" ::: "memory");
}
__device__ __forceinline__ float ld_cluster_f32(unsigned localAddr, unsigned rank) {
    unsigned remote;
    float v;
    asm volatile("mapa.shared::cluster.u32 %0, %1, %2;\n" : "=r"(remote) : "r"(localAddr), "r"(rank));
    asm volatile("ld.shared::cluster.f32 %0, [%1];\n" : "=f"(v) : "r"(remote) : "memory");
    return v;
}
#define TCFPX_CLUSTER_ATTR __cluster_dims__(1, TCFPX_CLUSTER, 1)
#else
#define TCFPX_CLUSTER_ATTR
#endif

extern "C" __global__ void __launch_bounds__(TCFPX_WARPS * 32) TCFPX_CLUSTER_ATTR
tcfpx_gemm(const unsigned char* __restrict__ W, const __half* __restrict__ scales, const act_t* __restrict__ X,
           act_t* __restrict__ Y, float* __restrict__ workspace, unsigned* __restrict__ counters,
           int N, int OC, int IC, int KT, int unitsPerSplit) {
    extern __shared__ __align__(128) unsigned char smem[];
#if TCFPX_PROBE == 1
    return;
#endif
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int wm = warp % TCFPX_WM, wk = warp / TCFPX_WM;   // row group and K slot of this warp
    const int g = lane >> 2, t = lane & 3;
    const int MTiles = (OC + 15) >> 4;
    const int mtBase = blockIdx.x * TCFPX_RT;
    const int split = blockIdx.y, splits = gridDim.y;
    const int n0 = blockIdx.z * TCFPX_TN;
    const int ktBegin = split * unitsPerSplit;
    const int ktEnd = min(KT, ktBegin + unitsPerSplit);
    // X rows stored per column tile (the same for every CTA, so stage offsets agree) and live here.
    // KW = 1 (v5): every stage stores all TN rows (dead ones zero-filled); KW > 1: only rows that can be live.
#if TCFPX_KW == 1
    constexpr int xRows = TCFPX_TN, xLive = TCFPX_TN;
    constexpr int stageBytes = TCFPX_ASTAGE_BYTES + TCFPX_TN * TCFPX_XSTRIDE;
#else
    const int xRows = min(TCFPX_TN, N), xLive = min(TCFPX_TN, N - n0);
    const int stageBytes = TCFPX_ASTAGE_BYTES + TCFPX_KW * xRows * TCFPX_XSTRIDE;
#endif
#if TCFPX_PROBE == 2
    const int count = 0;
    const int ktLimit = ktEnd;
#elif TCFPX_KINTERLEAVE
    const int count = max(0, (KT - split + splits - 1) / splits);   // stages (KW = 1)
    const int ktLimit = KT;
    (void)ktEnd;
#else
    const int count = (max(0, ktEnd - ktBegin) + TCFPX_KW - 1) / TCFPX_KW;   // stages of KW column tiles
    const int ktLimit = ktEnd;
#endif
#if TCFPX_BULK
    __shared__ __align__(8) unsigned long long bars[TCFPX_STAGES];
    if (threadIdx.x == 0) {
#pragma unroll
        for (int s = 0; s < TCFPX_STAGES; s++) mbar_init(smem_u32(&bars[s]), 1u);
        asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    }
    __syncthreads();
#define TCFPX_BAR(s) smem_u32(&bars[(s)])
#else
#define TCFPX_BAR(s) 0u
#endif

    float acc[TCFPX_MT][TCFPX_NT][4];
#if TCFPX_ACC2
    float acc2[TCFPX_MT][TCFPX_NT][4];
#endif
#pragma unroll
    for (int i = 0; i < TCFPX_MT; i++)
#pragma unroll
        for (int j = 0; j < TCFPX_NT; j++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                acc[i][j][e] = 0.f;
#if TCFPX_ACC2
                acc2[i][j][e] = 0.f;
#endif
            }

    // Pipeline prologue: STAGES − 1 stages in flight.
#pragma unroll
    for (int s = 0; s < TCFPX_STAGES - 1; s++) {
        if (s < count)
            load_stage(smem + s * stageBytes, W, X, TCFPX_KT(s), ktLimit, KT, mtBase, MTiles, n0, N, IC, xRows, xLive,
                       TCFPX_BAR(s));
        cp_async_commit();
    }

    for (int u = 0; u < count; u++) {
        cp_async_wait<TCFPX_STAGES - 2>();
#if TCFPX_BULK && TCFPX_PROBE != 4
        mbar_wait(TCFPX_BAR(u % TCFPX_STAGES), (unsigned)(u / TCFPX_STAGES) & 1u);
#endif
        __syncthreads();  // stage u landed for every thread; everyone finished reading stage u − 1
        {
            int next = u + TCFPX_STAGES - 1;
            if (next < count)
                load_stage(smem + (next % TCFPX_STAGES) * stageBytes, W, X, TCFPX_KT(next), ktLimit, KT, mtBase,
                           MTiles, n0, N, IC, xRows, xLive, TCFPX_BAR(next % TCFPX_STAGES));
            cp_async_commit();
        }
#if TCFPX_PROBE == 3
        continue;
#endif
#if TCFPX_KW > 1
        if (TCFPX_KT(u) + wk >= ktLimit) continue;   // this warp's column tile is past the CTA's range
#endif
        const unsigned char* stage = smem + (u % TCFPX_STAGES) * stageBytes;
        const unsigned char* xs = stage + TCFPX_ASTAGE_BYTES + wk * xRows * TCFPX_XSTRIDE;

        Segments seg[TCFPX_MT];
#pragma unroll
        for (int i = 0; i < TCFPX_MT; i++)
            load_segments(seg[i], stage + (wk * TCFPX_RT + wm * TCFPX_MT + i) * TCFPX_UNIT_BYTES, lane);

#pragma unroll
        for (int p = 0; p < 4; p++) {  // pairs of k-steps: one 16-byte B load per n tile
            uint4 b[TCFPX_NT];
#pragma unroll
            for (int j = 0; j < TCFPX_NT; j++)
#if TCFPX_KW == 1
                b[j] = *reinterpret_cast<const uint4*>(xs + (j * 8 + g) * TCFPX_XSTRIDE + p * 64 + t * 16);
#else
                b[j] = (j * 8 + g < xLive)
                    ? *reinterpret_cast<const uint4*>(xs + (j * 8 + g) * TCFPX_XSTRIDE + p * 64 + t * 16)
                    : make_uint4(0u, 0u, 0u, 0u);   // dead batch rows: not stored in shared memory
#endif
#pragma unroll
            for (int q = 0; q < 2; q++) {
#pragma unroll
                for (int i = 0; i < TCFPX_MT; i++) {
                    unsigned a[4];
                    // k-step j = 2p + q uses groups 2j (a0, a1) and 2j + 1 (a2, a3).
                    unsigned x0, x1;
                    switch (2 * p + q) {  // compile-time after unrolling
#define TCFPX_CASE(J) case J: x0 = assemble<2 * J>(seg[i]); x1 = assemble<2 * J + 1>(seg[i]); break;
                        TCFPX_CASE(0) TCFPX_CASE(1) TCFPX_CASE(2) TCFPX_CASE(3)
                        TCFPX_CASE(4) TCFPX_CASE(5) TCFPX_CASE(6) TCFPX_CASE(7)
#undef TCFPX_CASE
                        default: x0 = x1 = 0;
                    }
                    cast4(x0, a[0], a[1]);
                    cast4(x1, a[2], a[3]);
#pragma unroll
                    for (int j = 0; j < TCFPX_NT; j++) {
                        unsigned b0 = q == 0 ? b[j].x : b[j].z;
                        unsigned b1 = q == 0 ? b[j].y : b[j].w;
#if TCFPX_ACC2
                        mma16816(q == 0 ? acc[i][j] : acc2[i][j], a, b0, b1);
#else
                        mma16816(acc[i][j], a, b0, b1);
#endif
                    }
                }
            }
        }
    }
    cp_async_wait<0>();
#if TCFPX_ACC2
#pragma unroll
    for (int i = 0; i < TCFPX_MT; i++)
#pragma unroll
        for (int j = 0; j < TCFPX_NT; j++)
#pragma unroll
            for (int e = 0; e < 4; e++) acc[i][j][e] += acc2[i][j][e];
#endif
#if TCFPX_KW > 1
    // Intra-CTA split-K: warps wk ≥ 1 leave their partials in the idle pipeline shared memory (lane-major, so the
    // stores and loads are conflict-free), warp wk = 0 of the same row group adds them in K-slot order
    // (deterministic) and goes on alone; the others only join the barriers below.
    {
        constexpr int REGS = TCFPX_MT * TCFPX_NT * 4;
        float* part = reinterpret_cast<float*>(smem);
        __syncthreads();   // every warp is done with the pipeline's shared memory
        if (wk > 0) {
#pragma unroll
            for (int i = 0; i < TCFPX_MT; i++)
#pragma unroll
                for (int j = 0; j < TCFPX_NT; j++)
#pragma unroll
                    for (int e = 0; e < 4; e++)
                        part[(((wk - 1) * TCFPX_WM + wm) * REGS + (i * TCFPX_NT + j) * 4 + e) * 32 + lane] = acc[i][j][e];
        }
        __syncthreads();
        if (wk == 0) {
#pragma unroll
            for (int k = 1; k < TCFPX_KW; k++)
#pragma unroll
                for (int i = 0; i < TCFPX_MT; i++)
#pragma unroll
                    for (int j = 0; j < TCFPX_NT; j++)
#pragma unroll
                        for (int e = 0; e < 4; e++)
                            acc[i][j][e] += part[(((k - 1) * TCFPX_WM + wm) * REGS + (i * TCFPX_NT + j) * 4 + e) * 32 + lane];
        }
    }
    const bool owner = wk == 0;
#else
    const bool owner = true;
#endif

    // Accumulator element e of tile (i, j): row 16·mt + g + 8·(e / 2), column n0 + 8j + 2t + (e % 2).
    if (splits == 1) {
        if (!owner) return;
#pragma unroll
        for (int i = 0; i < TCFPX_MT; i++) {
            const int mt = mtBase + wm * TCFPX_MT + i;
#pragma unroll
            for (int e2 = 0; e2 < 2; e2++) {
                const int m = mt * 16 + g + 8 * e2;
                if (m >= OC) continue;
                const float f = row_factor(scales, m);
#pragma unroll
                for (int j = 0; j < TCFPX_NT; j++)
#pragma unroll
                    for (int e1 = 0; e1 < 2; e1++) {
                        const int n = n0 + 8 * j + 2 * t + e1;
                        if (n < N) Y[(size_t)n * OC + m] = float_to_act(acc[i][j][2 * e2 + e1] * f);
                    }
            }
        }
        return;
    }

#if TCFPX_CLUSTER > 1
    {
        // Partials in this CTA's (now idle) pipeline shared memory: red[col · RS + row], RS = ROWS + 4 so the
        // fragment stores (rows g, columns 2t) hit distinct banks.
        // (The host sizes the dynamic shared memory to hold TN · RS floats.)
        constexpr int RS = TCFPX_ROWS + 4;
        constexpr int THREADS = TCFPX_WARPS * 32;
        float* red = reinterpret_cast<float*>(smem);
        __syncthreads();  // every warp is done with the pipeline's (and the intra-CTA reduction's) shared memory
        if (owner)
#pragma unroll
        for (int i = 0; i < TCFPX_MT; i++)
#pragma unroll
            for (int e2 = 0; e2 < 2; e2++) {
                const int row = (wm * TCFPX_MT + i) * 16 + g + 8 * e2;
#pragma unroll
                for (int j = 0; j < TCFPX_NT; j++)
#pragma unroll
                    for (int e1 = 0; e1 < 2; e1++) red[(8 * j + 2 * t + e1) * RS + row] = acc[i][j][2 * e2 + e1];
            }
        cluster_sync_all();  // all partials of the tile written and visible cluster-wide
        const int mBegin = mtBase * 16;
        const int total = TCFPX_ROWS * min(TCFPX_TN, N - n0);
        const unsigned base = smem_u32(red);
        for (int e = split * THREADS + threadIdx.x; e < total; e += TCFPX_CLUSTER * THREADS) {
            const int col = e / TCFPX_ROWS, row = e % TCFPX_ROWS;
            const int m = mBegin + row;
            if (m >= OC) continue;
            const unsigned addr = base + (unsigned)(col * RS + row) * 4u;
            float v[TCFPX_CLUSTER];
#pragma unroll
            for (int r = 0; r < TCFPX_CLUSTER; r++) v[r] = ld_cluster_f32(addr, (unsigned)r);
            float sum = 0.f;
#pragma unroll
            for (int r = 0; r < TCFPX_CLUSTER; r++) sum += v[r];
            Y[(size_t)(n0 + col) * OC + m] = float_to_act(sum * row_factor(scales, m));
        }
        cluster_sync_all();  // no CTA leaves while another still reads its shared memory
        return;
    }
#endif
    // Split-K: partials to workspace[split][n][m] (m over the padded OC), then the last CTA reduces in order.
    const int OCP = MTiles * 16;
    const int NP = gridDim.z * TCFPX_TN;
    if (owner)
#pragma unroll
    for (int i = 0; i < TCFPX_MT; i++) {
        const int mt = mtBase + wm * TCFPX_MT + i;
        if (mt >= MTiles) continue;
#pragma unroll
        for (int e2 = 0; e2 < 2; e2++) {
            const int m = mt * 16 + g + 8 * e2;
#pragma unroll
            for (int j = 0; j < TCFPX_NT; j++)
#pragma unroll
                for (int e1 = 0; e1 < 2; e1++) {
                    const int n = n0 + 8 * j + 2 * t + e1;
                    if (n < N) workspace[((size_t)split * NP + n) * OCP + m] = acc[i][j][2 * e2 + e1];
                }
        }
    }
    __threadfence();
    __syncthreads();
    __shared__ unsigned isLast;
    unsigned* counter = counters + blockIdx.z * gridDim.x + blockIdx.x;
    if (threadIdx.x == 0) {
        unsigned arrived = atomicAdd(counter, 1u);
        isLast = (arrived == (unsigned)splits - 1u);
    }
    __syncthreads();
    if (!isLast) return;
    __threadfence();
    // The reduction is the kernel's serial tail (it starts when the slowest split ends), so it is written for
    // latency: the live columns' partials of every split are pulled into the (now idle) pipeline shared memory
    // with back-to-back 16-byte cp.async — one round trip, few registers — then summed in split order
    // (deterministic). Each thread owns one row (THREADS is a multiple of ROWS), so its scale is loaded once.
    constexpr int THREADS = TCFPX_WARPS * 32;
    static_assert(THREADS % TCFPX_ROWS == 0, "a thread keeps one row in the reduction");
    // The host sizes the dynamic shared memory to hold at least one column of every split (splits · ROWS floats).
    unsigned dynamicSmem;
    asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(dynamicSmem));
    const int SMEM_FLOATS = (int)(dynamicSmem / 4);
    float* red = reinterpret_cast<float*>(smem);
    const int mBegin = mtBase * 16;
    const int rowsHere = min(TCFPX_ROWS, OCP - mBegin);     // a multiple of 16: whole 16-byte pieces
    const int pieces = rowsHere / 4;
    const int nv = min(TCFPX_TN, N - n0);
    const int colsPerPass = max(1, min(nv, SMEM_FLOATS / (splits * TCFPX_ROWS)));
    const int r = threadIdx.x % TCFPX_ROWS;
    const float f = (mBegin + r < OC) ? row_factor(scales, mBegin + r) : 0.f;
    for (int c0 = 0; c0 < nv; c0 += colsPerPass) {
        const int cols = min(colsPerPass, nv - c0);
        // One warp per (split, column): lane = 16-byte piece of the column's ≤ 128 rows (no index divisions).
        static_assert(TCFPX_ROWS / 4 <= 32, "a warp covers a column's rows");
        for (int sp = 0; sp < splits; sp++)
            for (int col = warp; col < cols; col += TCFPX_WARPS)
                if (lane < pieces)
                    cp_async16(red + (sp * cols + col) * TCFPX_ROWS + lane * 4,
                               workspace + ((size_t)sp * NP + n0 + c0 + col) * OCP + mBegin + lane * 4);
        cp_async_commit();
        cp_async_wait<0>();
        __syncthreads();
        if (r < rowsHere && mBegin + r < OC) {
            for (int col = threadIdx.x / TCFPX_ROWS; col < cols; col += THREADS / TCFPX_ROWS) {
                float sum = 0.f;
                for (int sp = 0; sp < splits; sp++) sum += red[(sp * cols + col) * TCFPX_ROWS + r];
                Y[(size_t)(n0 + c0 + col) * OC + mBegin + r] = float_to_act(sum * f);
            }
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) *counter = 0u;  // ready for the next call on this stream
}

// Dequantizes M tiles [mtBegin, mtEnd) of the packed weights once into a dense row-major Ŵ of the activation type
// (scales applied), row 16·mtBegin first: the large-batch path hands it to cuBLAS. One warp per unit; the unit is
// staged in shared memory so the global stores are 16-byte and coalesced.
extern "C" __global__ void __launch_bounds__(256)
tcfpx_dequantize(const unsigned char* __restrict__ W, const __half* __restrict__ scales, act_t* __restrict__ out,
                 int OC, int IC, int KT, int mtBegin, int mtEnd) {
    __shared__ __align__(16) unsigned short tile[8][16][136];
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int g = lane >> 2, t = lane & 3;
    const long long units = (long long)(mtEnd - mtBegin) * KT;
    const bool aligned = (IC & 7) == 0;
    const int MTiles = (OC + 15) >> 4;
    for (long long u = (long long)blockIdx.x * 8 + warp; u < units; u += (long long)gridDim.x * 8) {
        const int mt = mtBegin + (int)(u / KT), kt = (int)(u % KT);
        Segments s;
        load_segments(s, W + unit_index(mt, kt, KT, MTiles) * TCFPX_UNIT_BYTES, lane);
        unsigned v[32];
#define TCFPX_DQ(G) { unsigned x = assemble<G>(s); cast4(x, v[2 * (G)], v[2 * (G) + 1]); }
        TCFPX_DQ(0) TCFPX_DQ(1) TCFPX_DQ(2) TCFPX_DQ(3) TCFPX_DQ(4) TCFPX_DQ(5) TCFPX_DQ(6) TCFPX_DQ(7)
        TCFPX_DQ(8) TCFPX_DQ(9) TCFPX_DQ(10) TCFPX_DQ(11) TCFPX_DQ(12) TCFPX_DQ(13) TCFPX_DQ(14) TCFPX_DQ(15)
#undef TCFPX_DQ
        const int row0 = mt * 16 + g, row1 = row0 + 8;
        const float f0 = row0 < OC ? row_factor(scales, row0) : 0.f;
        const float f1 = row1 < OC ? row_factor(scales, row1) : 0.f;
#pragma unroll
        for (int G = 0; G < 16; G++) {
            const int j = G >> 1;
#pragma unroll
            for (int r = 0; r < 2; r++) {  // register P (r = 0) or Q (r = 1) of this group
                const int reg = 2 * (G & 1) + r;  // a0..a3
                const int rr = g + 8 * (reg & 1);
                const int kk = 32 * (j >> 1) + 8 * t + 4 * (j & 1) + 2 * (reg >> 1);
                const unsigned h = v[2 * G + r];
                const float f = (reg & 1) ? f1 : f0;
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    unsigned short bits = (unsigned short)(e == 0 ? (h & 0xFFFFu) : (h >> 16));
#if TCFPX_BF16
                    float w = __bfloat162float(__ushort_as_bfloat16(bits));
                    tile[warp][rr][kk + e] = __bfloat16_as_ushort(__float2bfloat16_rn(w * f));
#else
                    float w = __half2float(__ushort_as_half(bits));
                    tile[warp][rr][kk + e] = __half_as_ushort(__float2half_rn(w * f));
#endif
                }
            }
        }
        __syncwarp();
        for (int c = lane; c < 256; c += 32) {
            const int r = c >> 4, ch = c & 15;
            const int row = mt * 16 + r;
            const int k = kt * 128 + ch * 8;
            if (row >= OC || k >= IC) continue;
            unsigned short* dst = reinterpret_cast<unsigned short*>(out) + (size_t)(row - mtBegin * 16) * IC + k;
            if (aligned && k + 8 <= IC) {
                *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(&tile[warp][r][ch * 8]);
            } else {
                for (int e = 0; e < 8 && k + e < IC; e++) dst[e] = tile[warp][r][ch * 8 + e];
            }
        }
        __syncwarp();
    }
}
