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

// FLUTE_CTA = 1: Stream-K at CTA granularity. CTA b takes one contiguous range of (row tile, chunk) items and its
// warps interleave over it (warp k: items lo + k, lo + k + W, ...), so the CTA's weight stream is one contiguous
// window (W x 512 bytes per step) and the warps sharing a row tile are the CTA's own: their partials meet in shared
// memory (FLUTE_SLOTS slots, reused in tile order; the last warp to arrive adds them in warp order, deterministic).
// Only the (at most two) row tiles a CTA shares with its neighbours go through the workspace + counter reduction.
#ifndef FLUTE_CTA
#define FLUTE_CTA 0
#endif
#ifndef FLUTE_SLOTS
#define FLUTE_SLOTS 2
#endif
// FLUTE_PRMT = 1 (4-bit only): table entries 256 bytes apart at a 64 KB-aligned shared address, so a lookup
// address is one PRMT (code byte -> address byte 1, lane << 2 and the base's high bytes from one register) instead
// of SHF + LOP3. Table region 64 KB (twice that requested, for the alignment).
#ifndef FLUTE_PRMT
#define FLUTE_PRMT 0
#endif
#if FLUTE_PRMT && FLUTE_BITS != 4
#error "FLUTE_PRMT is for 4-bit codes"
#endif
// FLUTE_RWARP = 1 (with FLUTE_CTA): one extra warp per CTA (FLUTE_WARPS + 1 warps) does every reduction. The
// streaming warps only store their partial of a row tile in a shared-memory slot and count themselves in; the
// reducer warp sums the slots in warp order, writes Y, and handles the (at most two) row tiles shared with the
// neighbouring CTAs: the CTA that holds a tile's first chunk (it reaches the tile at the end of its range) waits for
// the others' partials (published at the start of their ranges, one release each, never waiting) and adds them in
// CTA order, so the result is deterministic and no streaming warp ever fences or waits on global memory. Needs all
// CTAs resident at once (the persistent grid of the streaming configuration: one CTA per SM).
#ifndef FLUTE_RWARP
#define FLUTE_RWARP 0
#endif
#if FLUTE_RWARP && !FLUTE_CTA
#error "FLUTE_RWARP needs FLUTE_CTA"
#endif
#define FLUTE_THREADS ((FLUTE_WARPS + FLUTE_RWARP) * 32)
// FLUTE_SLOT_T (1, 2 or 4): lanes t < FLUTE_SLOT_T hold the batch columns 2t, 2t + 1 a batch of M <= 2 * FLUTE_SLOT_T
// rows needs; only they store partials in the slots (FLUTE_NT == 1 only).
#ifndef FLUTE_SLOT_T
#define FLUTE_SLOT_T 4
#endif
#if FLUTE_SLOT_T != 4 && (FLUTE_NT != 1 || !FLUTE_RWARP)
#error "FLUTE_SLOT_T < 4 needs FLUTE_NT == 1 and FLUTE_RWARP"
#endif
#define SLOT_LANES (8 * FLUTE_SLOT_T)
#define LUT_SHIFT (FLUTE_PRMT ? 8 : 7)                  // log2 of the byte distance between entries
#define LUT_BYTES (LUT_ENTRIES << LUT_SHIFT)
#define SLOT_FLOATS (FLUTE_WARPS * 4 * FLUTE_NT * SLOT_LANES)   // one slot: every warp's partial of one row tile
#define CTA_SMEM_BYTES (FLUTE_CTA ? FLUTE_SLOTS * SLOT_FLOATS * 4 + 16 * FLUTE_SLOTS : 0)
// FLUTE_PACK = 1: the activations (FLUTE_XSMEM) follow the table directly instead of the doubled table region, so the
// alignment slack below the table is what the slots and the ring use (launcher: bytes = alignUp(0x400 + slots + ring,
// LUT_BYTES) - 0x400 + LUT_BYTES + activations; the kernel traps if its dynamic shared memory is shorter).
#ifndef FLUTE_PACK
#define FLUTE_PACK 0
#endif
// FLUTE_RING_HIGH = 1 (with FLUTE_PACK): the weight ring follows the table (then the activations), only the slots
// stay below it; for rings deeper than the alignment slack holds (launcher: alignUp(0x400 + slots, LUT_BYTES) - 0x400
// + LUT_BYTES + ring + activations).
#ifndef FLUTE_RING_HIGH
#define FLUTE_RING_HIGH 0
#endif
#if FLUTE_RING_HIGH && !FLUTE_PACK
#error "FLUTE_RING_HIGH needs FLUTE_PACK"
#endif
// FLUTE_EARLY = 1 (FLUTE_ASYNC): the table loads and the activation copy (cp.async, zero-filled) are issued before
// the weight ring's prologue, so they do not queue behind it, and the table is stored while the ring fills.
#ifndef FLUTE_EARLY
#define FLUTE_EARLY 0
#endif
// FLUTE_ASYNC = 1: the weight ring lives in shared memory and is filled by cp.async (each lane copies and later
// reads its own 16 bytes, so no barrier is needed), FLUTE_PREFETCH stages per warp, FLUTE_PREFETCH - 1 copies in
// flight while a chunk is consumed. A register ring shares the warp's 6 scoreboards with the activation, scale and
// table loads, so its loads are not waited for one by one; cp.async groups complete in order (wait_group).
#ifndef FLUTE_ASYNC
#define FLUTE_ASYNC 0
#endif
#if FLUTE_ASYNC && FLUTE_SCALE_AHEAD
#error "FLUTE_ASYNC does not carry scales in the ring"
#endif
// FLUTE_ASYNC_SCALE = 1: each lane's scale word rides in the ring too (a 4-byte cp.async per lane and chunk).
// Measured on H200 (docs/flute.md, v7): 4-7% slower than the plain load one chunk ahead, so off by default.
#ifndef FLUTE_ASYNC_SCALE
#define FLUTE_ASYNC_SCALE 0
#endif
#define RING_LOW_BYTES (FLUTE_ASYNC ? FLUTE_WARPS * FLUTE_PREFETCH * 32 * 16 : 0)
#define RING_HIGH_BYTES (FLUTE_ASYNC && FLUTE_BITS == 3 ? FLUTE_WARPS * FLUTE_PREFETCH * 32 * 8 : 0)
#define RING_BYTES (RING_LOW_BYTES + RING_HIGH_BYTES + (FLUTE_ASYNC_SCALE ? FLUTE_WARPS * FLUTE_PREFETCH * 32 * 4 : 0))
#define FLUTE_SMEM_BYTES (CTA_SMEM_BYTES + RING_BYTES + 2 * LUT_BYTES)  // dynamic shared memory flute_gemm needs

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

// Activation and scale loads (FLUTE_XLD): 0 = ld.global.nc (the texture path, __ldg), 1 = plain ld.global,
// 2 = ld.global.cg (L2 only).
#ifndef FLUTE_XLD
#define FLUTE_XLD 0
#endif
// 0 is the committed kernel's __ldg, which keeps the per-warp kernel's code for FLUTE_NT >= 4 byte-identical to v3's
// (NVRTC 13.5); 1 and 2 measured equal or slower on H200 (docs/flute.md, v7).
__device__ __forceinline__ uint4 load_x(const void* p) {
#if FLUTE_XLD == 0
    return __ldg((const uint4*)p);
#else
    uint4 v;
#endif
#if FLUTE_XLD == 1
    asm volatile("ld.global.v4.u32 {%0,%1,%2,%3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
#elif FLUTE_XLD == 2
    asm volatile("ld.global.cg.v4.u32 {%0,%1,%2,%3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
#endif
#if FLUTE_XLD != 0
    return v;
#endif
}
__device__ __forceinline__ u32 load_s(const u32* p) {
#if FLUTE_XLD == 0
    return __ldg(p);
#else
    u32 v;
#endif
#if FLUTE_XLD == 1
    asm volatile("ld.global.u32 %0, [%1];" : "=r"(v) : "l"(p));
#elif FLUTE_XLD == 2
    asm volatile("ld.global.cg.u32 %0, [%1];" : "=r"(v) : "l"(p));
#endif
#if FLUTE_XLD != 0
    return v;
#endif
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

// FLUTE_SCALE_AHEAD = 1: each chunk's scale word travels in the weight ring (loaded FLUTE_PREFETCH chunks
// ahead, like the codes) instead of one chunk ahead. GPU-checked; measured 3-5% slower than one chunk ahead on
// H200 with activations from global memory (the scale latency was not on the critical path), so opt-in.
#ifndef FLUTE_SCALE_AHEAD
#define FLUTE_SCALE_AHEAD 0
#endif

struct Weights {
    uint4 low;
#if FLUTE_BITS == 3
    uint2 high;
#endif
#if FLUTE_SCALE_AHEAD
    u32 scale;
#endif
};
#if FLUTE_PREFETCH % 2
#error "FLUTE_PREFETCH must be even (activation slots alternate)"
#endif

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
#ifndef FLUTE_SPLIT_ACC
#define FLUTE_SPLIT_ACC 0
#endif
// Activation slots with FLUTE_XSMEM (1: LDS at the chunk's start; meant for FLUTE_SCALE_AHEAD, whose scales come
// with the weights).
#ifndef FLUTE_XSMEM_SLOTS
#define FLUTE_XSMEM_SLOTS 2
#endif
#ifndef FLUTE_XSLOTS
#define FLUTE_XSLOTS (FLUTE_XSMEM ? FLUTE_XSMEM_SLOTS : (FLUTE_NT <= 2 ? 2 : 1))
#endif
// Minimum resident CTAs per SM (register cap for the compiler).
#ifndef FLUTE_MINB
#define FLUTE_MINB 1
#endif
// FLUTE_REDUCE_LITE = 1: a contributor releases its partial with one `atom.release.gpu` by lane 0 after
// __syncwarp (MEMBAR.ALL.GPU) instead of __threadfence in every lane (MEMBAR.SC.GPU + CCTL.IVALL, which also
// throws away the SM's L1, i.e. every warp's cached activations); only the last arriver fences (acquire).
// Measured on H200: within noise (-0.1..-0.6 us); the reduction's cost is its serialized tail, not the fence kind.
#ifndef FLUTE_REDUCE_LITE
#define FLUTE_REDUCE_LITE 0
#endif
// FLUTE_XSMEM = 1 (FLUTE_NT == 1 only): the CTA copies X (M <= 8 rows, zero-padded to chunks*CK inputs, row
// stride + 8 halfs against bank conflicts) into shared memory behind the table once; per-chunk activation loads
// are then LDS instead of global loads. Dynamic shared memory: FLUTE_SMEM_BYTES + M * (chunks * CK + 8) * 2.
// Measured on H200 (with FLUTE_SCALE_AHEAD): nf4 N=1 -3.5% on 57344x8192, equal on 8192^2, slower at N = 2;
// nf2/nf3 N=1 with FLUTE_XSMEM_SLOTS=1 -4..-18% (docs/flute.md, v6). Opt-in.
#ifndef FLUTE_XSMEM
#define FLUTE_XSMEM 0
#endif
#if FLUTE_XSMEM && FLUTE_NT != 1
#error "FLUTE_XSMEM needs FLUTE_NT == 1"
#endif
// FLUTE_FILL_FIRST = 1: the table fill issues all of a thread's loads before its first store (the plain loop,
// unrolled by 4, pays two dependent L2 round trips for 4-bit). Measured 1-2% faster for 4-bit N <= 8 on H200;
// elsewhere it raised the register count past what two CTAs per SM allow (3-bit, NT = 2), so only there.
#ifndef FLUTE_FILL_FIRST
#define FLUTE_FILL_FIRST (FLUTE_BITS == 4 && FLUTE_NT == 1)
#endif
// FLUTE_PROBE (timing experiments only, wrong results for 1..4): 1 returns at entry (launch cost of the same
// grid), 2 skips the table fill, 3 writes every segment straight to Y (no Stream-K reduction), 4 skips the
// lookups and MMAs (streams codes, activations and scales through the same loop), 5 reads the scales of row tile
// 0 for every tile (cache hits: isolates the latency of the scale loads).
#ifndef FLUTE_PROBE
#define FLUTE_PROBE 0
#endif
// Timing probes (wrong results): FLUTE_NO_X = 1 loads no activations, FLUTE_NO_SCALE = 1 no scales.
#ifndef FLUTE_NO_X
#define FLUTE_NO_X 0
#endif
#ifndef FLUTE_NO_SCALE
#define FLUTE_NO_SCALE 0
#endif
// FLUTE_SMEM_FENCE = 1: __threadfence_block (MEMBAR.SC.CTA, which waits for the warp's weight loads in flight, i.e.
// drains the prefetch ring) around the shared-memory reduction. 0: none; shared-memory operations of a warp are
// performed in order, and __syncwarp + the shared atomic order the slot stores before the count.
#ifndef FLUTE_SMEM_FENCE
#define FLUTE_SMEM_FENCE 0
#endif

// (w >> S) & mask for a compile-time S of either sign: one shift and one LOP3.
template <int S>
__device__ __forceinline__ u32 field(u32 w, u32 mask) {
    if (S >= 0) return (w >> (S >= 0 ? S : 0)) & mask;
    return (w << (S < 0 ? -S : 0)) & mask;
}

// Shared address of pair q of MMA step j in this lane's copy of the table: entry e sits at base | (e << 7) |
// (lane << 2) (32 copies, one per lane: conflict-free); `laneBytes` = base | lane << 2. Shifts and masks only.
template <int J, int Q>
__device__ __forceinline__ u32 lut_offset(const u32 (&words)[4], uint2 high, u32 laneBytes) {
#if FLUTE_PRMT
    u32 r;
    asm("prmt.b32 %0, %1, %2, %3;" : "=r"(r) : "r"(words[J]), "r"(laneBytes), "n"(0x7604 | (Q << 4)));
    return r;
#elif FLUTE_BITS == 4
    return field<8 * Q - 7>(words[J], 0xffu << 7) | laneBytes;
#elif FLUTE_BITS == 2
    return field<16 * (J & 1) + 4 * Q - 7>(words[J >> 1], 0xfu << 7) | laneBytes;
#else
    const u32 hw = (J < 4) ? high.x : high.y;
    const u32 hi = field<8 * (J & 3) + 2 * Q - 11>(hw, 0x3u << 11) | laneBytes;
    return field<16 * (J & 1) + 4 * Q - 7>(words[J >> 1], 0xfu << 7) | hi;
#endif
}

__device__ __forceinline__ void cp_async16(u32 dst, const void* src) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(dst), "l"(src) : "memory");
}
// 16-byte cp.async that reads `bytes` (0 or 16) and zero-fills the rest.
__device__ __forceinline__ void cp_async16z(u32 dst, const void* src, u32 bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" :: "r"(dst), "l"(src), "r"(bytes) : "memory");
}
__device__ __forceinline__ void cp_async4(u32 dst, const void* src) {
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4;" :: "r"(dst), "l"(src) : "memory");
}
__device__ __forceinline__ void cp_async8(u32 dst, const void* src) {
    asm volatile("cp.async.ca.shared.global [%0], [%1], 8;" :: "r"(dst), "l"(src) : "memory");
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
template <int N>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;" :: "n"(N) : "memory"); }
__device__ __forceinline__ uint4 lds128(u32 a) {
    uint4 v;
    asm volatile("ld.shared.v4.u32 {%0,%1,%2,%3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "r"(a) : "memory");
    return v;
}
__device__ __forceinline__ uint2 lds64(u32 a) {
    uint2 v;
    asm volatile("ld.shared.v2.u32 {%0,%1}, [%2];" : "=r"(v.x), "=r"(v.y) : "r"(a) : "memory");
    return v;
}

__device__ __forceinline__ u32 lds(u32 byteAddress) {
    u32 v;
    asm("ld.shared.u32 %0, [%1];" : "=r"(v) : "r"(byteAddress) : "memory");
    return v;
}

// Table fill: a thread's share of the 8 x LUT_ENTRIES 16-byte stores (entry i >> 3), all loads issued first.
constexpr int kFill = (LUT_ENTRIES * 8 + FLUTE_THREADS - 1) / FLUTE_THREADS;
__device__ __forceinline__ void load_table(u32 (&fill)[kFill], const u32* pairTable) {
#pragma unroll
    for (int r = 0; r < kFill; ++r) {
        const int i = threadIdx.x + r * FLUTE_THREADS;
        fill[r] = i < LUT_ENTRIES * 8 ? __ldg(pairTable + (i >> 3)) : 0u;
    }
}

// Writes a finished row tile: lane (g, t) holds rows g, g + 8 and batch columns n * 8 + 2t, 2t + 1.
__device__ __forceinline__ void store_tile(u16* y, const float (&acc)[FLUTE_NT][4], int rt, int g, int t, int M,
                                           int outputs) {
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

#if FLUTE_RWARP
// Waits of the reducer-warp scheme: a wait that could only end by a bug (or by CTAs that are not all resident) traps
// after ~2^25 polls instead of hanging the GPU.
#define FLUTE_SPIN(cond, ns)                                      \
    {                                                             \
        u32 spins_ = 0;                                           \
        while (cond) {                                            \
            __nanosleep(ns);                                      \
            if (++spins_ > (1u << 25)) __trap();                  \
        }                                                         \
    }
__device__ __forceinline__ u32 ld_acquire_gpu(const u32* p) {
    u32 v;
    asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(p) : "memory");
    return v;
}

// The reducer warp of a CTA (FLUTE_RWARP): the CTA's row tiles lo / chunks .. (hi - 1) / chunks in order. Per tile:
// wait until every streaming warp with items in the CTA's segment has stored its partial, add the partials in warp
// order, free the slot. Full tiles are written to Y. A tile that continues into the next CTAs' ranges (this CTA
// holds its first chunk, so it is this CTA's last tile) waits for their partials (loaded before its own warps finish)
// and adds them in CTA order; a tile that started in an earlier CTA (this CTA's first tile) is published: partial to
// the workspace, one release increment of the tile's counter, no waiting. The waiting CTA resets the counter.
__device__ __noinline__ void flute_reduce_warp(const float* slots, u32* slotCount, int* slotTile, float* workspace,
                                               u32* counters, u16* y, int lo, int hi, int rtFirst, int chunks,
                                               int total, int totalUnits, int unit, int M, int outputs, int lane) {
    const int g = lane >> 2, t = lane & 3;
    if (lo >= hi) return;
    const int rtLast = (hi - 1) / chunks;
    volatile u32* count = slotCount;
    volatile int* tileOfSlot = slotTile;
    for (int rt = rtFirst; rt <= rtLast; ++rt) {
        const int segS = max(lo, rt * chunks), segE = min(hi, (rt + 1) * chunks);
        const int len = segE - segS;
        const int contributors = len < FLUTE_WARPS ? len : FLUTE_WARPS;
        const int s = (rt - rtFirst) % FLUTE_SLOTS;
        const bool full = segS == rt * chunks && segE == (rt + 1) * chunks;
        const bool gather = !full && segS == rt * chunks;  // this CTA holds the tile's first chunk: it reduces
        float ext[FLUTE_NT][4];
#pragma unroll
        for (int n = 0; n < FLUTE_NT; ++n) ext[n][0] = ext[n][1] = ext[n][2] = ext[n][3] = 0.f;
        if (gather) {
            const int qLast = (int)owner_of((i64)rt * chunks + chunks - 1, total, totalUnits);
            if (lane == 0) FLUTE_SPIN(ld_acquire_gpu(counters + rt) != (u32)(qLast - unit), 32)
            __syncwarp();
            __threadfence();
            for (int q = unit + 1; q <= qLast; ++q) {
                const float* src = workspace + ((i64)(q * 2) * (4 * FLUTE_NT)) * 32 + lane;
#pragma unroll
                for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
                    for (int r = 0; r < 4; ++r) ext[n][r] += __ldcg(src + (n * 4 + r) * 32);
            }
            if (lane == 0) counters[rt] = 0;  // every other contributor has arrived
        }
        if (lane == 0) FLUTE_SPIN(count[s] != (u32)contributors, 20)
        __syncwarp();
        __threadfence_block();
        float acc[FLUTE_NT][4];
#pragma unroll
        for (int n = 0; n < FLUTE_NT; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;
        if (t < FLUTE_SLOT_T) {
            const int off = (segS - lo) % FLUTE_WARPS;
            for (int k = 0; k < FLUTE_WARPS; ++k) {
                if ((k - off + FLUTE_WARPS) % FLUTE_WARPS >= len) continue;  // warp k has no item in the segment
                const volatile float* src = slots + (s * FLUTE_WARPS + k) * (4 * FLUTE_NT) * SLOT_LANES + g * FLUTE_SLOT_T + t;
#pragma unroll
                for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
                    for (int r = 0; r < 4; ++r) acc[n][r] += src[(n * 4 + r) * SLOT_LANES];
            }
        }
        __syncwarp();
        if (lane == 0) {
            count[s] = 0;
            __threadfence_block();
            tileOfSlot[s] = rt + FLUTE_SLOTS;
        }
        if (!full && !gather) {
            // Publish this CTA's part of a tile that an earlier CTA reduces.
            float* dst = workspace + ((i64)(unit * 2) * (4 * FLUTE_NT)) * 32 + lane;
#pragma unroll
            for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
                for (int r = 0; r < 4; ++r) __stcg(dst + (n * 4 + r) * 32, acc[n][r]);
            __threadfence();
            __syncwarp();
            if (lane == 0) atomicAdd(counters + rt, 1u);
            continue;
        }
#pragma unroll
        for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
            for (int r = 0; r < 4; ++r) acc[n][r] += ext[n][r];
        store_tile(y, acc, rt, g, t, M, outputs);
    }
}
#endif

// FLUTE_LAYOUT_ONLY = 1: only the layout's device code above (flute_wgmma.cu's program reuses it), no kernels.
#ifndef FLUTE_LAYOUT_ONLY
#define FLUTE_LAYOUT_ONLY 0
#endif
#if !FLUTE_LAYOUT_ONLY
extern "C" __global__ void __launch_bounds__(FLUTE_THREADS, FLUTE_MINB)
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
    // Dynamic shared memory of twice the table (FLUTE_SMEM_BYTES): the table is placed at a shared address
    // aligned to its own size, so a lookup address is base | (entry << 7) | (lane << 2): one shift and one LOP3,
    // no add. (The user area itself starts at 0x400, so a static __align__ does not give this.)
#if FLUTE_PROBE == 1
    if (M >= 0) return;
#endif
    extern __shared__ __align__(16) u32 lutRaw[];
    const u32 smemBase = (u32)__cvta_generic_to_shared(lutRaw);
    const u32 rawBase = smemBase + CTA_SMEM_BYTES + (FLUTE_RING_HIGH ? 0 : RING_BYTES);
    const u32 alignedBase = (rawBase + LUT_BYTES - 1) & ~(u32)(LUT_BYTES - 1);
    u32* lut = lutRaw + ((alignedBase - smemBase) >> 2);
#if FLUTE_PACK
    {   // the launcher sized the region for a dynamic shared base of 0x400
        u32 dynBytes;
        asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(dynBytes));
        const u32 xBytes = FLUTE_XSMEM ? (u32)M * (chunks * CK + 8) * 2 : 0u;
        if (alignedBase + LUT_BYTES + (FLUTE_RING_HIGH ? RING_BYTES : 0) + xBytes > smemBase + dynBytes) __trap();
    }
#endif
#if FLUTE_XSMEM
    // X rows in shared memory (zero beyond `inputs`, row stride + 8 halfs against bank conflicts): behind the doubled
    // table region, or right behind the aligned table (FLUTE_PACK).
    const int xstride = chunks * CK + 8;
#if FLUTE_PACK
    u16* xsm = (u16*)((char*)lutRaw + (alignedBase - smemBase) + LUT_BYTES + (FLUTE_RING_HIGH ? RING_BYTES : 0));
#else
    u16* xsm = (u16*)((char*)lutRaw + FLUTE_SMEM_BYTES);
#endif
#endif
    const int lane = threadIdx.x & 31;
    const int g = lane >> 2, t = lane & 3;
    const int total = rowTiles * chunks;  // < 2^31 (checked by the launcher)
#if FLUTE_CTA
    // Never more CTAs than items: every CTA's range is non-empty and the CTAs sharing a row tile are exactly
    // owner(first chunk) .. owner(last chunk). A warp's items: first, first + W, ... < hi.
#define STRIDE FLUTE_WARPS
    const int totalUnits = (int)gridDim.x < total ? (int)gridDim.x : total;
    const int unit = blockIdx.x;
    const int wk = threadIdx.x >> 5;
    const int lo = unit < totalUnits ? (int)((i64)unit * total / totalUnits) : total;
    const int hi = unit < totalUnits ? (int)((i64)(unit + 1) * total / totalUnits) : total;
    const int first = wk < FLUTE_WARPS ? lo + wk : hi;  // the reducer warp (FLUTE_RWARP) streams nothing
    float* slots = (float*)lutRaw;                                   // [FLUTE_SLOTS][W][4 * NT][SLOT_LANES]
    u32* slotCount = (u32*)(lutRaw + FLUTE_SLOTS * SLOT_FLOATS);     // arrivals per slot
    int* slotTile = (int*)(slotCount + FLUTE_SLOTS);                 // row tile allowed in each slot
    const int rtFirst = lo / chunks;
    if (threadIdx.x < FLUTE_SLOTS) { slotCount[threadIdx.x] = 0; slotTile[threadIdx.x] = rtFirst + threadIdx.x; }
#else
#define STRIDE 1
    // Never more warps than items: then every warp's range is non-empty and the warps sharing a row tile are
    // exactly owner(first chunk) .. owner(last chunk).
    const int launched = gridDim.x * FLUTE_WARPS;
    const int totalUnits = launched < total ? launched : total;
    const int unit = blockIdx.x * FLUTE_WARPS + (threadIdx.x >> 5);
    const int lo = unit < totalUnits ? (int)((i64)unit * total / totalUnits) : total;
    const int hi = unit < totalUnits ? (int)((i64)(unit + 1) * total / totalUnits) : total;
    const int first = lo;
#endif

    // Start the weight stream before filling the table so the first loads overlap it.
    const uint4* wp = codes + (i64)first * 32 + lane;
#if FLUTE_BITS == 3
    const uint2* hp = codesHigh + (i64)first * 32 + lane;
#endif
    int rt = first / chunks, c = first - rt * chunks;
#if FLUTE_SCALE_AHEAD || FLUTE_ASYNC_SCALE
    int rtA = rt, cA = c;  // the next chunk whose scale the ring loads
#define FLUTE_LOAD_SCALE(dst) \
    dst = load_s(scales + ((FLUTE_PROBE == 5 ? 0 : rtA) * groupsPerRow + ((cA * CK + t * KL) >> groupShift)) * 8 + g)
#define FLUTE_ADVANCE_SCALE() \
    for (cA += STRIDE; cA >= chunks; cA -= chunks) ++rtA;
#endif
#if FLUTE_EARLY
    // Table loads first (stored after the ring's prologue is issued), then the activation copy as the oldest
    // cp.async group.
    u32 fill[kFill];
    load_table(fill, pairTable);
#if FLUTE_XSMEM
    {
        const int perRow = xstride / 8, totalVec = M * perRow;
        const u32 xsmBase = (u32)__cvta_generic_to_shared(xsm);
        for (int i = threadIdx.x; i < totalVec; i += FLUTE_THREADS) {
            const int row = i / perRow, k = (i - row * perRow) * 8;
            cp_async16z(xsmBase + i * 16, x + (i64)row * ldx + (k < inputs ? k : 0), k < inputs ? 16u : 0u);
        }
    }
#endif
    cp_async_commit();
#endif
#if FLUTE_ASYNC
    // This lane's 16 bytes of stage i: ringLow + i * 512 (3-bit high plane: ringHigh + i * 256).
    const u32 ringBase = FLUTE_RING_HIGH ? alignedBase + LUT_BYTES : smemBase + CTA_SMEM_BYTES;
    const u32 ringLow = ringBase + ((threadIdx.x >> 5) * FLUTE_PREFETCH * 32 + lane) * 16;
#if FLUTE_BITS == 3
    const u32 ringHigh = ringBase + RING_LOW_BYTES + ((threadIdx.x >> 5) * FLUTE_PREFETCH * 32 + lane) * 8;
#endif
#if FLUTE_ASYNC_SCALE
    const u32 ringScale = ringBase + RING_LOW_BYTES + RING_HIGH_BYTES +
                          ((threadIdx.x >> 5) * FLUTE_PREFETCH * 32 + lane) * 4;
#define FLUTE_ASYNC_SCALE_COPY(stage) \
    cp_async4(ringScale + (stage) * 128, scales + (rtA * groupsPerRow + ((cA * CK + t * KL) >> groupShift)) * 8 + g)
#endif
#pragma unroll
    for (int i = 0; i < FLUTE_PREFETCH - 1; ++i) {
        if (first + i * STRIDE < hi) {
            cp_async16(ringLow + i * 512, wp + i * 32 * STRIDE);
#if FLUTE_BITS == 3
            cp_async8(ringHigh + i * 256, hp + i * 32 * STRIDE);
#endif
#if FLUTE_ASYNC_SCALE
            FLUTE_ASYNC_SCALE_COPY(i);
#endif
        }
#if FLUTE_ASYNC_SCALE
        FLUTE_ADVANCE_SCALE()
#endif
        cp_async_commit();
    }
    wp += (FLUTE_PREFETCH - 1) * 32 * STRIDE;
#if FLUTE_BITS == 3
    hp += (FLUTE_PREFETCH - 1) * 32 * STRIDE;
#endif
    Weights buf[1];
#else
    Weights buf[FLUTE_PREFETCH];
#pragma unroll
    for (int i = 0; i < FLUTE_PREFETCH; ++i) {
        if (first + i * STRIDE < hi) {
            buf[i].low = load_stream(wp + i * 32 * STRIDE);
#if FLUTE_BITS == 3
            buf[i].high = load_stream2(hp + i * 32 * STRIDE);
#endif
#if FLUTE_SCALE_AHEAD
            FLUTE_LOAD_SCALE(buf[i].scale);
#endif
        }
#if FLUTE_SCALE_AHEAD
        FLUTE_ADVANCE_SCALE()
#endif
    }
    wp += FLUTE_PREFETCH * 32 * STRIDE;
#if FLUTE_BITS == 3
    hp += FLUTE_PREFETCH * 32 * STRIDE;
#endif
#endif  // FLUTE_ASYNC

    // Per-lane activation rows (batch rows n*8 + g; rows >= M read nothing) and the input bound.
    const u16* xrow[FLUTE_NT];
    bool xvalid[FLUTE_NT];
#pragma unroll
    for (int n = 0; n < FLUTE_NT; ++n) {
        xvalid[n] = n * 8 + g < M;
        xrow[n] = x + (i64)(xvalid[n] ? n * 8 + g : 0) * ldx + t * KL;
    }
    const int klimit = inputs - t * KL;  // chunk c, vector v is inside iff c*CK + 8v < klimit
#if FLUTE_XSMEM && !FLUTE_EARLY
    // X rows into shared memory, all loads first.
    {
        const int perRow = xstride / 8, totalVec = M * perRow;
        for (int i0 = threadIdx.x; i0 < totalVec; i0 += 4 * FLUTE_THREADS) {
            uint4 q[4];
#pragma unroll
            for (int r = 0; r < 4; ++r) {
                const int i = i0 + r * FLUTE_THREADS;
                const int row = i / perRow, k = (i - row * perRow) * 8;
                q[r] = make_uint4(0, 0, 0, 0);
                if (i < totalVec && k < inputs) q[r] = __ldg((const uint4*)(x + (i64)row * ldx + k));
            }
#pragma unroll
            for (int r = 0; r < 4; ++r) {
                const int i = i0 + r * FLUTE_THREADS;
                if (i < totalVec) *(uint4*)(xsm + i * 8) = q[r];
            }
        }
    }
#endif

    // Activations and scales. Small batch tiles: two slots, chunk p uses slot (p - lo) & 1, loaded one chunk
    // ahead. Large ones (FLUTE_NT >= 4) cannot afford the registers: one slot, loaded at the chunk's start.
    u32 xs[FLUTE_XSLOTS][FLUTE_NT][KL / 2];
    u32 sw[FLUTE_XSLOTS];
    auto load_xs = [&](u32 (&dst)[FLUTE_NT][KL / 2], u32& s, int cc, int rr) {
#pragma unroll
        for (int n = 0; n < FLUTE_NT; ++n) {
#pragma unroll
            for (int v = 0; v < KL / 8; ++v) {
                uint4 q = make_uint4(0, 0, 0, 0);
#if FLUTE_XSMEM
                if (xvalid[n]) q = *(const uint4*)(xsm + g * xstride + t * KL + cc * CK + v * 8);
#else
                if (xvalid[n] && cc * CK + v * 8 < klimit && !FLUTE_NO_X) q = load_x(xrow[n] + cc * CK + v * 8);
#endif
                dst[n][4 * v] = q.x; dst[n][4 * v + 1] = q.y; dst[n][4 * v + 2] = q.z; dst[n][4 * v + 3] = q.w;
            }
        }
#if !FLUTE_SCALE_AHEAD && !FLUTE_ASYNC_SCALE
        s = FLUTE_NO_SCALE ? 0x3c003c00u : load_s(scales + ((FLUTE_PROBE == 5 ? 0 : rr) * groupsPerRow + ((cc * CK + t * KL) >> groupShift)) * 8 + g);
#endif
    };
#if FLUTE_XSLOTS == 2 && !FLUTE_XSMEM
    if (first < hi) load_xs(xs[0], sw[0], c, rt);
#endif

    // 32 copies of each entry as 8 16-byte stores; 8 consecutive threads cover one entry (conflict-free).
#if FLUTE_PROBE == 2
#elif FLUTE_FILL_FIRST || FLUTE_EARLY
#if !FLUTE_EARLY
    // A fixed trip count, so all of a thread's table loads are issued before its first store.
    u32 fill[kFill];
    load_table(fill, pairTable);
#endif
#pragma unroll
    for (int r = 0; r < kFill; ++r) {
        const int i = threadIdx.x + r * FLUTE_THREADS;
        if (i < LUT_ENTRIES * 8) *(uint4*)(lut + (i >> 3) * (1 << (LUT_SHIFT - 2)) + (i & 7) * 4) = make_uint4(fill[r], fill[r], fill[r], fill[r]);
    }
#else
    for (int i = threadIdx.x; i < LUT_ENTRIES * 8; i += FLUTE_THREADS) {
        const u32 v = __ldg(pairTable + (i >> 3));
        *(uint4*)(lut + (i >> 3) * (1 << (LUT_SHIFT - 2)) + (i & 7) * 4) = make_uint4(v, v, v, v);
    }
#endif
#if FLUTE_EARLY
    cp_async_wait<FLUTE_PREFETCH - 1>();  // this thread's activation copies (the oldest group) have landed
#endif
    __syncthreads();
#if FLUTE_RWARP
    if (wk == FLUTE_WARPS) {
        flute_reduce_warp(slots, slotCount, slotTile, workspace, counters, y, lo, hi, rtFirst, chunks, total, totalUnits,
                          unit, M, outputs, lane);
        return;
    }
#endif
    if (first >= hi) return;
    const u32 laneBytes = alignedBase | (lane << 2);
#if FLUTE_XSLOTS == 2 && FLUTE_XSMEM
    load_xs(xs[0], sw[0], c, rt);
#endif

    float acc[FLUTE_NT][4];
#pragma unroll
    for (int n = 0; n < FLUTE_NT; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;
#if !FLUTE_CTA
    int segmentStart = lo;
#endif

    for (int base = first; base < hi; base += FLUTE_PREFETCH * STRIDE) {
#pragma unroll
        for (int i = 0; i < FLUTE_PREFETCH; ++i) {
            const int p = base + i * STRIDE;
            if (p >= hi) break;
#if FLUTE_CTA
            int cn = c + STRIDE, rtn = rt;
            while (cn >= chunks) { cn -= chunks; ++rtn; }
#else
            const int cn = (c + 1 == chunks) ? 0 : c + 1, rtn = (c + 1 == chunks) ? rt + 1 : rt;
#endif
#if FLUTE_XSLOTS == 2
            const int slot = i & 1;  // FLUTE_PREFETCH is even, so the warp's item count since `first` & 1 == i & 1
            if (p + STRIDE < hi) load_xs(xs[slot ^ 1], sw[slot ^ 1], cn, rtn);
#else
            const int slot = 0;
            load_xs(xs[0], sw[0], c, rt);
#endif

#if FLUTE_ASYNC
            // Refill the stage consumed one chunk ago with chunk p + (FLUTE_PREFETCH - 1) * STRIDE, then wait for
            // this chunk's group (FLUTE_PREFETCH - 1 younger groups may stay in flight).
            if (p + (FLUTE_PREFETCH - 1) * STRIDE < hi) {
                cp_async16(ringLow + ((i + FLUTE_PREFETCH - 1) % FLUTE_PREFETCH) * 512, wp);
#if FLUTE_BITS == 3
                cp_async8(ringHigh + ((i + FLUTE_PREFETCH - 1) % FLUTE_PREFETCH) * 256, hp);
#endif
#if FLUTE_ASYNC_SCALE
                FLUTE_ASYNC_SCALE_COPY((i + FLUTE_PREFETCH - 1) % FLUTE_PREFETCH);
#endif
            }
#if FLUTE_ASYNC_SCALE
            FLUTE_ADVANCE_SCALE()
#endif
            cp_async_commit();
            cp_async_wait<FLUTE_PREFETCH - 1>();
            const uint4 low = lds128(ringLow + i * 512);
            const u32 words[4] = {low.x, low.y, low.z, low.w};
#if FLUTE_BITS == 3
            const uint2 high = lds64(ringHigh + i * 256);
#endif
#else
            const u32 words[4] = {buf[i].low.x, buf[i].low.y, buf[i].low.z, buf[i].low.w};
#endif
#if FLUTE_BITS == 3 && !FLUTE_ASYNC
            const uint2 high = buf[i].high;
#elif FLUTE_BITS != 3
            const uint2 high = make_uint2(0, 0);
#endif
#if FLUTE_SCALE_AHEAD
            const u32 swCur = buf[i].scale;
#elif FLUTE_ASYNC_SCALE
            const u32 swCur = FLUTE_NO_SCALE ? 0x3c003c00u : lds(ringScale + i * 128);
#else
            const u32 swCur = sw[slot];
#endif
            // Refill this slot with chunk p + FLUTE_PREFETCH (after its words were read).
            if (!FLUTE_ASYNC && p + FLUTE_PREFETCH * STRIDE < hi) {
                buf[i].low = load_stream(wp);
#if FLUTE_BITS == 3
                buf[i].high = load_stream2(hp);
#endif
#if FLUTE_SCALE_AHEAD
                FLUTE_LOAD_SCALE(buf[i].scale);
#endif
            }
#if FLUTE_SCALE_AHEAD
            FLUTE_ADVANCE_SCALE()
#endif
            wp += 32 * STRIDE;
#if FLUTE_BITS == 3
            hp += 32 * STRIDE;
#endif
#if FLUTE_POST_SCALE
            // FLUTE_SPLIT_ACC = 1: even and odd MMA steps accumulate into two partials (two dependent HMMA chains of
            // STEPS / 2 instead of one of STEPS), added in the scaling below.
            float part[1 + FLUTE_SPLIT_ACC][FLUTE_NT][4];
#pragma unroll
            for (int h = 0; h <= FLUTE_SPLIT_ACC; ++h)
#pragma unroll
                for (int n = 0; n < FLUTE_NT; ++n) part[h][n][0] = part[h][n][1] = part[h][n][2] = part[h][n][3] = 0.f;
#else
            const u32 sLow = (swCur & 0xffffu) * 0x10001u;   // scale of row g in both halves
            const u32 sHigh = (swCur >> 16) * 0x10001u;      // scale of row g + 8
#endif
#define FLUTE_STEP(J)                                                                                      \
    if (J < STEPS) {                                                                                       \
        u32 a[4];                                                                                          \
        a[0] = lds(lut_offset<J, 0>(words, high, laneBytes));                                              \
        a[1] = lds(lut_offset<J, 1>(words, high, laneBytes));                                              \
        a[2] = lds(lut_offset<J, 2>(words, high, laneBytes));                                              \
        a[3] = lds(lut_offset<J, 3>(words, high, laneBytes));                                              \
        FLUTE_APPLY(J)                                                                                     \
    }
#if FLUTE_POST_SCALE
#define FLUTE_APPLY(J)                                                                                     \
    _Pragma("unroll") for (int n = 0; n < FLUTE_NT; ++n)                                                  \
        mma(part[FLUTE_SPLIT_ACC ? (J & 1) : 0][n], a, xs[slot][n][2 * J], xs[slot][n][2 * J + 1]);
#else
#define FLUTE_APPLY(J)                                                                                     \
    a[0] = mul2(a[0], sLow); a[1] = mul2(a[1], sHigh); a[2] = mul2(a[2], sLow); a[3] = mul2(a[3], sHigh);   \
    _Pragma("unroll") for (int n = 0; n < FLUTE_NT; ++n) mma(acc[n], a, xs[slot][n][2 * J], xs[slot][n][2 * J + 1]);
#endif
#if FLUTE_PROBE == 4
            acc[0][0] += __uint_as_float((words[0] ^ words[1] ^ words[2] ^ words[3] ^ high.x ^ high.y ^ swCur ^
                                          xs[slot][0][0] ^ xs[slot][0][KL / 2 - 1]) & 0x3f7fffffu);
#else
            FLUTE_STEP(0) FLUTE_STEP(1) FLUTE_STEP(2) FLUTE_STEP(3)
            FLUTE_STEP(4) FLUTE_STEP(5) FLUTE_STEP(6) FLUTE_STEP(7)
#endif
#undef FLUTE_STEP
#undef FLUTE_APPLY
#if FLUTE_POST_SCALE
            {
                const float fLow = scale_to_float(swCur & 0xffffu), fHigh = scale_to_float(swCur >> 16);
#pragma unroll
                for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
                    for (int h = 0; h <= FLUTE_SPLIT_ACC; ++h) {
                        acc[n][0] = fmaf(part[h][n][0], fLow, acc[n][0]);
                        acc[n][1] = fmaf(part[h][n][1], fLow, acc[n][1]);
                        acc[n][2] = fmaf(part[h][n][2], fHigh, acc[n][2]);
                        acc[n][3] = fmaf(part[h][n][3], fHigh, acc[n][3]);
                    }
            }
#endif

            // End of this warp's part of a row tile: flush.
#if FLUTE_RWARP
            if (rtn != rt || p + STRIDE >= hi) {
                // Store the partial in the tile's slot and count in; the reducer warp does the rest.
                const int s = (rt - rtFirst) % FLUTE_SLOTS;
                volatile int* tileOfSlot = slotTile;
                FLUTE_SPIN(tileOfSlot[s] != rt, 20)  // the slot's previous tile is not reduced yet
                if (t < FLUTE_SLOT_T) {
                    volatile float* mine = slots + (s * STRIDE + wk) * (4 * FLUTE_NT) * SLOT_LANES + g * FLUTE_SLOT_T + t;
#pragma unroll
                    for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
                        for (int r = 0; r < 4; ++r) mine[(n * 4 + r) * SLOT_LANES] = acc[n][r];
                }
                __syncwarp();
                if (lane == 0) atomicAdd(slotCount + s, 1u);
#pragma unroll
                for (int n = 0; n < FLUTE_NT; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;
            }
#else
#if FLUTE_CTA
            if (rtn != rt || p + STRIDE >= hi) {
                // The CTA's segment of row tile rt and the warps that have items in it (residues mod W).
                const int segS = max(lo, rt * chunks), segE = min(hi, (rt + 1) * chunks);
                const int len = segE - segS;
                const int contributors = len < STRIDE ? len : STRIDE;
                const int s = (rt - rtFirst) % FLUTE_SLOTS;
                volatile int* tileOfSlot = slotTile;
                while (tileOfSlot[s] != rt) __nanosleep(20);  // the slot's previous tile is not reduced yet
                volatile float* mine = slots + ((i64)(s * STRIDE + wk) * (4 * FLUTE_NT)) * 32 + lane;
#pragma unroll
                for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
                    for (int r = 0; r < 4; ++r) mine[(n * 4 + r) * 32] = acc[n][r];
#if FLUTE_SMEM_FENCE
                __threadfence_block();
#endif
                __syncwarp();
                u32 arrived = 0;
                if (lane == 0) arrived = atomicAdd(slotCount + s, 1u);
                arrived = __shfl_sync(0xffffffffu, arrived, 0);
                if (arrived == (u32)(contributors - 1)) {
#if FLUTE_SMEM_FENCE
                    __threadfence_block();
#endif
#pragma unroll
                    for (int n = 0; n < FLUTE_NT; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;
                    const int off = (segS - lo) % STRIDE;
                    for (int k = 0; k < STRIDE; ++k) {
                        if ((k - off + STRIDE) % STRIDE >= len) continue;  // warp k has no item in the segment
                        const float* src = slots + ((i64)(s * STRIDE + k) * (4 * FLUTE_NT)) * 32 + lane;
#pragma unroll
                        for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
                            for (int r = 0; r < 4; ++r) acc[n][r] += ((const volatile float*)src)[(n * 4 + r) * 32];
                    }
                    __syncwarp();
                    if (lane == 0) {
                        ((volatile u32*)slotCount)[s] = 0;
#if FLUTE_SMEM_FENCE
                        __threadfence_block();
#endif
                        tileOfSlot[s] = rt + FLUTE_SLOTS;
                    }
                    const int segmentStart = segS;
                    const bool full = segS == rt * chunks && segE == (rt + 1) * chunks;
#else
            if (c == chunks - 1 || p == hi - 1) {
                {
                    const bool full = (segmentStart == rt * chunks) && (c == chunks - 1);
#endif
                    bool write = full || FLUTE_PROBE == 3;
                    if (!write) {
                        const int side = (segmentStart == lo) ? 0 : 1;
                        float* dst = workspace + ((i64)(unit * 2 + side) * (4 * FLUTE_NT)) * 32 + lane;
#pragma unroll
                        for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
                            for (int r = 0; r < 4; ++r) __stcg(dst + (n * 4 + r) * 32, acc[n][r]);
#if !FLUTE_REDUCE_LITE
                        __threadfence();
#endif
                        __syncwarp();
                        const int qFirst = (int)owner_of((i64)rt * chunks, total, totalUnits);
                        const int qLast = (int)owner_of((i64)rt * chunks + chunks - 1, total, totalUnits);
                        u32 arrivedAll = 0;
#if FLUTE_REDUCE_LITE
                        // The __syncwarp above orders the other lanes' partial stores before lane 0's release.
                        if (lane == 0)
                            asm volatile("atom.release.gpu.global.add.u32 %0, [%1], 1;" : "=r"(arrivedAll) : "l"(counters + rt) : "memory");
#else
                        if (lane == 0) arrivedAll = atomicAdd(counters + rt, 1u);
#endif
                        arrivedAll = __shfl_sync(0xffffffffu, arrivedAll, 0);
                        if (arrivedAll == (u32)(qLast - qFirst)) {
#if FLUTE_REDUCE_LITE
                            asm volatile("fence.acq_rel.gpu;" ::: "memory");  // acquire the other partials
#else
                            __threadfence();
#endif
#pragma unroll
                            for (int n = 0; n < FLUTE_NT; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;
                            for (int q = qFirst; q <= qLast; ++q) {
                                const int qlo = (int)((i64)q * total / totalUnits);
                                const int qside = (qlo / chunks == rt) ? 0 : 1;
                                const float* src = workspace + ((i64)(q * 2 + qside) * (4 * FLUTE_NT)) * 32 + lane;
#pragma unroll
                                for (int n = 0; n < FLUTE_NT; ++n)
#pragma unroll
                                    for (int r = 0; r < 4; ++r) acc[n][r] += __ldcg(src + (n * 4 + r) * 32);
                            }
                            if (lane == 0) counters[rt] = 0;
                            write = true;
                        }
                    }
                    if (write) store_tile(y, acc, rt, g, t, M, outputs);
                }
#pragma unroll
                for (int n = 0; n < FLUTE_NT; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;
#if !FLUTE_CTA
                segmentStart = p + 1;
#endif
            }
#endif  // FLUTE_RWARP
            rt = rtn;
            c = cn;
        }
    }
}

// Large-batch path: expand the packed weights into a dense row-major (rows x ldw) matrix for cuBLAS.
// FLUTE_DEQ_WIDE = 1 (the launcher's default; GPU-checked, N = 512 28% faster on H200): gather a lane's run
// first, then 16-byte stores.
#ifndef FLUTE_DEQ_WIDE
#define FLUTE_DEQ_WIDE 0
#endif
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
#if FLUTE_DEQ_WIDE
    u32 run[2][KL / 2];  // this lane's dequantized values of rows g and g + 8, in input order
#endif
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
#pragma unroll
        for (int half = 0; half < 2; ++half) {  // half 0: row g (a0, a2), half 1: row g + 8 (a1, a3)
            const u32 s = half ? sHigh : sLow;
            const u32 v0 = mul2(lut[e[half]], s), v1 = mul2(lut[e[2 + half]], s);
#if FLUTE_DEQ_WIDE
            run[half][2 * j] = v0;
            run[half][2 * j + 1] = v1;
#else
            const int k = k0 + 4 * j;
            const int row = rt * 16 + g + 8 * half;
            if (row < outputs) {
                u16* dst = w + (i64)(row - rtBegin * 16) * ldw + k;
                if (k + 4 <= inputs && (ldw & 3) == 0) {
                    *(uint2*)dst = make_uint2(v0, v1);
                } else {
                    const u16 vals[4] = {(u16)v0, (u16)(v0 >> 16), (u16)v1, (u16)(v1 >> 16)};
                    for (int q = 0; q < 4; ++q) if (k + q < inputs) dst[q] = vals[q];
                }
            }
#endif
        }
    }
#if FLUTE_DEQ_WIDE
    // Each lane owns KL consecutive inputs of rows g and g + 8: 16-byte stores, and the 4 lanes of a row
    // cover 4*KL consecutive inputs (whole 128-byte lines).
#pragma unroll
    for (int half = 0; half < 2; ++half) {
        const int row = rt * 16 + g + 8 * half;
        if (row >= outputs) continue;
        u16* dst = w + (i64)(row - rtBegin * 16) * ldw + k0;
        if (k0 + KL <= inputs && (ldw & 7) == 0) {
#pragma unroll
            for (int v = 0; v < KL / 8; ++v)
                ((uint4*)dst)[v] = make_uint4(run[half][4 * v], run[half][4 * v + 1], run[half][4 * v + 2], run[half][4 * v + 3]);
        } else {
            for (int q = 0; q < KL; ++q)
                if (k0 + q < inputs) dst[q] = (u16)(run[half][q >> 1] >> (16 * (q & 1)));
        }
    }
#endif
}

// Copies X (M x inputs, any inputs) into a zero-padded M x ldx buffer (ldx % 8 == 0) for flute_gemm.
extern "C" __global__ void flute_pad_activations(const u16* __restrict__ x, u16* __restrict__ xp, int M, int inputs,
                                                 int ldx) {
    const i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (i64)M * ldx) return;
    const int m = (int)(i / ldx), k = (int)(i - (i64)m * ldx);
    xp[i] = k < inputs ? x[(i64)m * inputs + k] : (u16)0;
}
#endif  // !FLUTE_LAYOUT_ONLY
