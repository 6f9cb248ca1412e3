// Large-batch FLUTE GEMM on Hopper: wgmma with the lookup-table weights as the register A operand (LowBit, sm_90a).
//
// Compiled as ONE NVRTC program after flute.cu and wgmma_common.cu (the host concatenates the sources), so the
// packed layout's device code is reused, not copied: KL/CK/STEPS, `lut_offset<J, Q>` (the pair-table address of
// register a_Q of MMA step J from a lane's code words), `to16`, `scale_to_float`; and the generic wgmma,
// mbarrier, bulk-copy, permute and split-K reduce code of wgmma_common.cu. Configuration (#defines, host-prepended):
//   FLUTE_BITS, FLUTE_BF16     code width (2, 3, 4) and activation type (flute.cu)
//   FWG_BN                     batch columns per CTA (N of the wgmma: 64, 128, 192 or 256)
//   FWG_SLABS                  m64 slabs per consumer warpgroup (1: 128 weight rows per CTA, 2: 256)
//   FWG_STAGES                 pipeline depth (≥ 3; loads run STAGES − 2 K units ahead)
//   FWG_KG                     k-steps per wgmma commit group (1, 2, 4): A registers double-buffered per group
//   FWG_POST                   1: one scale per row (per-row groups): applied to the FP32 result; 0: per-group
//                              scales multiplied into each dequantized half2 before the wgmma (like flute.cu's G = 32)
//
// Y[N, OC] = X[N, IC] · Ŵᵀ as D[OC tile, N tile] = A (dequantized weights, registers) · B (activations, shared
// memory, K-major, 128-byte swizzle), FP32 accumulation.
//
// The FLUTE layout (FLUTELayout.swift) has, per row tile (16 rows) and chunk (CK = 64 inputs for 4-bit, 128 for
// 2/3-bit), one 16-byte vector per lane, and lane (g, t) holds in MMA step j the inputs t·KL + 4j + {0, 1} (a0: row g,
// a1: row g + 8) and + {2, 3} (a2, a3). That is exactly the A fragment of wgmma .m64nNk16 per warp (warp w of a
// warpgroup = rows 16w … 16w + 15) once B's logical k is put into the same order: the activations go through
// wgm_permute_x with phys(S, t) = c·CK + t·KL + 4j (S = c·STEPS + j), which also writes them as the exact image of
// a pipeline stage (tiles of BN rows × 128 k, two swizzled 64-column halves).
//
// K unit = 128 inputs = 8 k-steps (4-bit: two chunks; 2/3-bit: one chunk). A stage holds the X tile (BN × 128) and,
// per row tile of the CTA, the unit's code vectors (contiguous in the packed layout: one bulk copy), the 3-bit
// 1-bit plane (one more) and the scale words of the unit's groups (one more; 8 words per group and row tile,
// contiguous). The pair table (32 copies, lane l reads copy l: conflict-free) sits at the start of dynamic shared
// memory, so a lookup is SHF + LOP3 (lut_offset) + LDS with the table base as the LDS immediate.
//
// CTA: one producer warp (in a producer warpgroup that gives its registers away) whose lanes issue a stage's bulk
// copies (lane 0 the X tile, lane r the copies of row tile r), 2 consumer warpgroups; full/empty mbarriers per stage.
// Per k-step and warp: 4 table lookups (+ 4 HMUL2 with the group scales) per slab, wgmma.fence, one wgmma per slab,
// commit, wait until ≤ 1 group is in flight. Split-K over blockIdx (FP32 partials + flute_wgmma_reduce, splits summed
// in order: deterministic) when the tiles alone leave SMs idle.
#ifndef FWG_BN
#define FWG_BN 128
#endif
#ifndef FWG_SLABS
#define FWG_SLABS 2
#endif
#ifndef FWG_STAGES
#define FWG_STAGES 4
#endif
#ifndef FWG_POST
#define FWG_POST 0
#endif
#ifndef FWG_GROUP_M
#define FWG_GROUP_M 8
#endif
#ifndef FWG_KG
#define FWG_KG 1
#endif
// FWG_WCOPY: how the weights reach a stage. 1 (default): the 128 producer threads copy codes, 3-bit plane and scales
// with 16-byte cp.async (LDGSTS) and each arrives on the stage's `full` barrier when its copies landed
// (cp.async.mbarrier.arrive.noinc); 0: one bulk copy per row tile and array (2–3 per row tile, 17–49 per stage).
// Run 2 (H200): with 0 a 128-row unit took ≈ 1800 cycles at BN = 64 and ≈ 2100 at BN = 192 whatever the tensor work,
// ≈ 100 cycles per bulk copy: the copy engine's per-request cost, not bytes, set the pace.
#ifndef FWG_WCOPY
#define FWG_WCOPY 1
#endif
#define FWG_CONSUMERS 256
#define FWG_THREADS (FWG_CONSUMERS + 128)
#define FWG_RT (8 * FWG_SLABS)                      /* row tiles per CTA */
#define FWG_BM (16 * FWG_RT)
#define FWG_UC (128 / CK)                           /* chunks per 128-input K unit */
#define FWG_XSTAGE (FWG_BN * 256)
#define FWG_CODE_RT (FWG_UC * 512)                  /* code bytes per row tile and unit */
#define FWG_HIGH_RT (FLUTE_BITS == 3 ? FWG_UC * 256 : 0)
#define FWG_SCALE_RT (FWG_POST ? 0 : 128)           /* ≤ 4 groups (G = 32) × 8 words */
#define FWG_HIGH_OFF (FWG_RT * FWG_CODE_RT)
#define FWG_SCALE_OFF (FWG_HIGH_OFF + FWG_RT * FWG_HIGH_RT)
#define FWG_WSTAGE (FWG_SCALE_OFF + FWG_RT * FWG_SCALE_RT)
#define FWG_LUT_BYTES (LUT_ENTRIES * 128)
#define FWG_YSTRIDE (FWG_BM + 8)
// Dynamic shared memory: table, ≤ 1024 bytes of alignment, X stages, weight stages (the epilogue reuses the stages).
#define FWG_SMEM_BYTES (FWG_LUT_BYTES + 1024 + FWG_STAGES * (FWG_XSTAGE + FWG_WSTAGE))
static_assert(FWG_STAGES >= 3, "loads run STAGES - 2 units ahead");
static_assert(FWG_KG == 1 || FWG_KG == 2 || FWG_KG == 4, "KG = 1, 2 or 4 k-steps per commit group (8 / KG even)");
static_assert(FWG_BN == 64 || FWG_BN == 128 || FWG_BN == 192 || FWG_BN == 256, "BN = 64, 128, 192 or 256");
static_assert(FWG_SLABS * FWG_BN <= 256, "accumulators: at most 128 registers per thread");
static_assert(FWG_SLABS == 1 || FWG_SLABS == 2 || FWG_SLABS == 4, "1, 2 or 4 m64 slabs per consumer warpgroup");
static_assert(FWG_WCOPY || FWG_RT <= 32, "bulk mode: one producer lane per row tile");
static_assert(FWG_BN * FWG_YSTRIDE * 2 <= FWG_STAGES * (FWG_XSTAGE + FWG_WSTAGE), "epilogue tile fits");
#define FWG_MMA wgm_mma<FWG_BN, FLUTE_BF16 != 0>

// flute.cu's mul2 as a volatile asm: a plain asm may sink past wgmma.fence, and a non-wgmma instruction defining a
// wgmma input inside the pipeline makes ptxas serialize every wgmma (C7513).
__device__ __forceinline__ u32 fwg_mul2(u32 a, u32 b) {
    u32 r;
#if FLUTE_BF16
    asm volatile("mul.rn.bf16x2 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b));
#else
    asm volatile("mul.rn.f16x2 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b));
#endif
    return r;
}

// The A registers of k-step J (0…7) of a K unit for slab s: 4 table lookups (+ the group scales).
template <int J>
__device__ __forceinline__ void fwg_lookup(u32 (&cur)[4], const u32 (&words)[FWG_UC][4], const uint2 (&high)[FWG_UC],
                                           const u32 (&sLo)[FWG_UC], const u32 (&sHi)[FWG_UC], u32 tableBase,
                                           u32 laneBytes) {
    constexpr int C = J / STEPS, JJ = J % STEPS;
    cur[0] = lds(tableBase + lut_offset<JJ, 0>(words[C], high[C], laneBytes));
    cur[1] = lds(tableBase + lut_offset<JJ, 1>(words[C], high[C], laneBytes));
    cur[2] = lds(tableBase + lut_offset<JJ, 2>(words[C], high[C], laneBytes));
    cur[3] = lds(tableBase + lut_offset<JJ, 3>(words[C], high[C], laneBytes));
#if !FWG_POST
    cur[0] = fwg_mul2(cur[0], sLo[C]);
    cur[1] = fwg_mul2(cur[1], sHi[C]);
    cur[2] = fwg_mul2(cur[2], sLo[C]);
    cur[3] = fwg_mul2(cur[3], sHi[C]);
#endif
}

// K-steps J0 … J0 + KG − 1 of a K unit for this warp: the A registers of every step and slab first, then the
// KG·SLABS wgmmas as one commit group (B columns 16J … 16J + 15 of the stage's X tile), then wait until at most one
// group is in flight, so the previous group's registers (the other buffer) may be rewritten. KG > 1 keeps more
// wgmmas queued per warpgroup (a narrow tile's wgmma is short against its latency) at 4·KG·SLABS more registers.
template <int J0>
__device__ __forceinline__ void fwg_group(float (&acc)[FWG_SLABS][FWG_BN / 2], const u32 (&words)[FWG_SLABS][FWG_UC][4],
                                          const uint2 (&high)[FWG_SLABS][FWG_UC], const u32 (&sLo)[FWG_SLABS][FWG_UC],
                                          const u32 (&sHi)[FWG_SLABS][FWG_UC], u32 (&a)[2][FWG_SLABS][FWG_KG][4],
                                          u32 tableBase, u32 laneBytes, u32 xbase) {
    constexpr int B = (J0 / FWG_KG) & 1;
#pragma unroll
    for (int s = 0; s < FWG_SLABS; s++) {
        fwg_lookup<J0>(a[B][s][0], words[s], high[s], sLo[s], sHi[s], tableBase, laneBytes);
        if constexpr (FWG_KG > 1) fwg_lookup<J0 + 1>(a[B][s][1 % FWG_KG], words[s], high[s], sLo[s], sHi[s], tableBase, laneBytes);
        if constexpr (FWG_KG > 2) fwg_lookup<J0 + 2>(a[B][s][2 % FWG_KG], words[s], high[s], sLo[s], sHi[s], tableBase, laneBytes);
        if constexpr (FWG_KG > 3) fwg_lookup<J0 + 3>(a[B][s][3 % FWG_KG], words[s], high[s], sLo[s], sHi[s], tableBase, laneBytes);
    }
    wgm_fence();
#pragma unroll
    for (int kk = 0; kk < FWG_KG; kk++) {
        const int J = J0 + kk;
        const unsigned long long desc = wgm_desc(xbase + (J >> 2) * (FWG_BN * 128) + (J & 3) * 32);
#pragma unroll
        for (int s = 0; s < FWG_SLABS; s++) FWG_MMA(acc[s], a[B][s][kk], desc, 1);
    }
    wgm_commit();
    wgm_wait<1>();  // the previous group has finished: its registers (a[B ^ 1]) may be rewritten
#pragma unroll
    for (int s = 0; s < FWG_SLABS; s++)
#pragma unroll
        for (int kk = 0; kk < FWG_KG; kk++)
#pragma unroll
            for (int r = 0; r < 4; r++) wgm_keep(a[B ^ 1][s][kk][r]);
}

// Per-row scale of output row m (FWG_POST: one group per row, paddedGroupsPerRow = 1).
__device__ __forceinline__ float fwg_row_scale(const u32* __restrict__ scales, int m) {
    const u32 w = scales[(m >> 4) * 8 + (m & 7)];
    return scale_to_float((m & 8) ? (w >> 16) : (w & 0xffffu));
}

extern "C" __global__ void __launch_bounds__(FWG_THREADS, 1)
flute_wgmma(const unsigned char* __restrict__ codes,  // packed vectors (3-bit: then the 1-bit plane)
            const u32* __restrict__ scales,           // (row tile, group, g): rows g | g + 8 << 16
            const u32* __restrict__ pairTable,        // LUT_ENTRIES words
            const unsigned char* __restrict__ Xt,     // X' tiles (wgm_permute_x)
            u16* __restrict__ Y, float* __restrict__ partials, int N, int OC, int rowTiles, int chunks,
            int groupsPerRow, int groupShift, int KT, int mBlocks, int nBlocks, int splits, int unitsPerSplit) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    extern __shared__ __align__(16) unsigned char smemRaw[];
    __shared__ __align__(8) unsigned long long fullBar[FWG_STAGES], emptyBar[FWG_STAGES];
    const u32 tableBase = wgm_smem(smemRaw);
    unsigned char* stages = smemRaw + FWG_LUT_BYTES;
    stages += (1024u - (wgm_smem(stages) & 1023u)) & 1023u;
    unsigned char* wregion = stages + FWG_STAGES * FWG_XSTAGE;
    const int tid = threadIdx.x, lane = tid & 31, warp = (tid >> 5) & 3, wg = tid >> 7;
    const int g = lane >> 2, t = lane & 3;
    // Tile order: the splits of a tile next to each other, then groups of FWG_GROUP_M row blocks with the row block
    // fastest (CTAs running together share activation tiles and weight blocks in L2).
    int b = blockIdx.x;
    const int split = b % splits;
    b /= splits;
    const int perGroup = FWG_GROUP_M * nBlocks;
    const int gm0 = (b / perGroup) * FWG_GROUP_M, gmSize = min(FWG_GROUP_M, mBlocks - gm0);
    const int mb = gm0 + (b % perGroup) % gmSize, nb = (b % perGroup) / gmSize;
    const int mtBase = mb * FWG_RT;
    const int n0 = nb * FWG_BN;
    const int ktBegin = split * unitsPerSplit;
    const int count = max(0, min(KT, ktBegin + unitsPerSplit) - ktBegin);
    if (tid == 0) {
#pragma unroll
        for (int s = 0; s < FWG_STAGES; s++) {
            wgm_bar_init(wgm_smem(&fullBar[s]), FWG_WCOPY ? 1u + 128u : 1u);
            wgm_bar_init(wgm_smem(&emptyBar[s]), FWG_CONSUMERS / 32);
        }
        wgm_bar_init_fence();
    }
    // The pair table: 32 copies of each entry (entry e, copy l at word 32e + l), 16-byte stores.
    for (int i = tid; i < LUT_ENTRIES * 8; i += FWG_THREADS) {
        const u32 v = __ldg(pairTable + (i >> 3));
        *reinterpret_cast<uint4*>(smemRaw + (i >> 3) * 128 + (i & 7) * 16) = make_uint4(v, v, v, v);
    }
    __syncthreads();

    // Registers: 384 threads leave 168 each at launch; the producer warpgroup gives most of its share to the two
    // consumer warpgroups (setmaxnreg: 128·56 + 256·224 ≤ 65536).
    if (tid >= FWG_CONSUMERS) {  // producer warpgroup
        wgm_setmaxnreg_dec<56>();
#if !FWG_WCOPY
        if (tid >= FWG_CONSUMERS + 32) return;  // bulk mode: warp 0 issues the copies
#endif
        const int ptid = tid - FWG_CONSUMERS;
        const int validRT = min(FWG_RT, rowTiles - mtBase);
        const size_t highPlane = (size_t)rowTiles * chunks * 512;
        for (int u = 0; u < count; u++) {
            const int slot = u % FWG_STAGES, kt = ktBegin + u;
            if (u >= FWG_STAGES) wgm_bar_wait(wgm_smem(&emptyBar[slot]), (unsigned)((u / FWG_STAGES) - 1) & 1u);
            const unsigned bar = wgm_smem(&fullBar[slot]);
            const int c0 = kt * FWG_UC, ucount = min(FWG_UC, chunks - c0);
            const int g0 = (kt * 128) >> groupShift;
            const int gcount = FWG_POST ? 0 : min(max(1, 128 >> groupShift), groupsPerRow - g0);
            unsigned char* ws = wregion + slot * FWG_WSTAGE;
#if FWG_WCOPY
            if (ptid == 0) {
                wgm_bar_expect(bar, (unsigned)FWG_XSTAGE);
                wgm_bulk(wgm_smem(stages + slot * FWG_XSTAGE), Xt + ((size_t)nb * KT + kt) * FWG_XSTAGE, FWG_XSTAGE, bar);
            }
            // Codes: row tile r's ucount·512 bytes at ws + r·CODE_RT (32 vectors of 16 bytes per chunk).
            const int codeVecs = ucount * 32;
            for (int i = ptid; i < validRT * codeVecs; i += 128) {
                const int r = i / codeVecs, v = i - r * codeVecs;
                cp_async16(wgm_smem(ws + r * FWG_CODE_RT + v * 16),
                           codes + ((size_t)(mtBase + r) * chunks + c0) * 512 + v * 16);
            }
#if FLUTE_BITS == 3
            const int highVecs = ucount * 16;
            for (int i = ptid; i < validRT * highVecs; i += 128) {
                const int r = i / highVecs, v = i - r * highVecs;
                cp_async16(wgm_smem(ws + FWG_HIGH_OFF + r * FWG_HIGH_RT + v * 16),
                           codes + highPlane + ((size_t)(mtBase + r) * chunks + c0) * 256 + v * 16);
            }
#endif
#if !FWG_POST
            const int scaleVecs = gcount * 2;
            for (int i = ptid; i < validRT * scaleVecs; i += 128) {
                const int r = i / scaleVecs, v = i - r * scaleVecs;
                cp_async16(wgm_smem(ws + FWG_SCALE_OFF + r * FWG_SCALE_RT + v * 16),
                           scales + ((size_t)(mtBase + r) * groupsPerRow + g0) * 8 + v * 4);
            }
#endif
            asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];\n" ::"r"(bar) : "memory");
#else
            if (lane == 0) {
                const unsigned perRT = ucount * 512 + (FLUTE_BITS == 3 ? ucount * 256 : 0) + gcount * 32;
                wgm_bar_expect(bar, (unsigned)FWG_XSTAGE + validRT * perRT);
                wgm_bulk(wgm_smem(stages + slot * FWG_XSTAGE), Xt + ((size_t)nb * KT + kt) * FWG_XSTAGE, FWG_XSTAGE, bar);
            }
            __syncwarp();
            if (lane < validRT) {
                const int rt = mtBase + lane;
                const size_t v0 = (size_t)rt * chunks + c0;
                wgm_bulk(wgm_smem(ws + lane * FWG_CODE_RT), codes + v0 * 512, (unsigned)(ucount * 512), bar);
#if FLUTE_BITS == 3
                wgm_bulk(wgm_smem(ws + FWG_HIGH_OFF + lane * FWG_HIGH_RT), codes + highPlane + v0 * 256,
                         (unsigned)(ucount * 256), bar);
#endif
#if !FWG_POST
                wgm_bulk(wgm_smem(ws + FWG_SCALE_OFF + lane * FWG_SCALE_RT),
                         scales + ((size_t)rt * groupsPerRow + g0) * 8, (unsigned)(gcount * 32), bar);
#endif
            }
#endif
            (void)highPlane;
            (void)ptid;
        }
        return;
    }

    wgm_setmaxnreg_inc<224>();
    float acc[FWG_SLABS][FWG_BN / 2];
#pragma unroll
    for (int s = 0; s < FWG_SLABS; s++)
#pragma unroll
        for (int i = 0; i < FWG_BN / 2; i++) acc[s][i] = 0.f;
    u32 a[2][FWG_SLABS][FWG_KG][4];
#pragma unroll
    for (int p = 0; p < 2; p++)
#pragma unroll
        for (int s = 0; s < FWG_SLABS; s++)
#pragma unroll
            for (int kk = 0; kk < FWG_KG; kk++)
#pragma unroll
                for (int r = 0; r < 4; r++) a[p][s][kk][r] = 0u;
    const u32 laneBytes = (u32)lane << 2;

    // count ≥ 1 (the host makes every split non-empty): a loop without a zero-trip path, so no copies of the
    // zero accumulators sit between the last wgmma and its wait (ptxas would serialize every wgmma: C7515).
    int u = 0;
    do {
        const int slot = u % FWG_STAGES, kt = ktBegin + u;
        wgm_bar_wait(wgm_smem(&fullBar[slot]), (unsigned)(u / FWG_STAGES) & 1u);
        const u32 ws = wgm_smem(wregion + slot * FWG_WSTAGE);
        u32 words[FWG_SLABS][FWG_UC][4];
        uint2 high[FWG_SLABS][FWG_UC];
        u32 sLo[FWG_SLABS][FWG_UC], sHi[FWG_SLABS][FWG_UC];
#pragma unroll
        for (int s = 0; s < FWG_SLABS; s++) {
            const int rtl = (wg * FWG_SLABS + s) * 4 + warp;
#pragma unroll
            for (int c = 0; c < FWG_UC; c++) {
                const uint4 v = lds128(ws + rtl * FWG_CODE_RT + c * 512 + lane * 16);
                words[s][c][0] = v.x; words[s][c][1] = v.y; words[s][c][2] = v.z; words[s][c][3] = v.w;
#if FLUTE_BITS == 3
                high[s][c] = lds64(ws + FWG_HIGH_OFF + rtl * FWG_HIGH_RT + c * 256 + lane * 8);
#else
                high[s][c] = make_uint2(0u, 0u);
#endif
#if !FWG_POST
                // Group of this lane's inputs c·CK + t·KL … + KL − 1 inside the unit (G ≥ 32 ≥ KL: one group).
                // A chunk past the last one (4-bit, odd chunk count) has no codes or scales in the stage: scale 0.
                // (Always loaded, then selected: a branch inside the wgmma pipeline serializes it, C7513.)
                const u32 sw0 = lds(ws + FWG_SCALE_OFF + rtl * FWG_SCALE_RT + (((c * CK + t * KL) >> groupShift) * 8 + g) * 4);
                const u32 sw = kt * FWG_UC + c < chunks ? sw0 : 0u;
                sLo[s][c] = (sw & 0xffffu) * 0x10001u;  // scale of row g in both halves
                sHi[s][c] = (sw >> 16) * 0x10001u;      // scale of row g + 8
#else
                sLo[s][c] = sHi[s][c] = 0u;
#endif
            }
        }
        const u32 xbase = wgm_smem(stages + slot * FWG_XSTAGE);
        fwg_group<0>(acc, words, high, sLo, sHi, a, tableBase, laneBytes, xbase);
        // Unit u − 1's last wgmma group has retired: release its stage.
        if (u > 0 && lane == 0) wgm_bar_arrive(wgm_smem(&emptyBar[(u + FWG_STAGES - 1) % FWG_STAGES]));
        if constexpr (FWG_KG == 1) {
            fwg_group<1>(acc, words, high, sLo, sHi, a, tableBase, laneBytes, xbase);
            fwg_group<2>(acc, words, high, sLo, sHi, a, tableBase, laneBytes, xbase);
            fwg_group<3>(acc, words, high, sLo, sHi, a, tableBase, laneBytes, xbase);
            fwg_group<4>(acc, words, high, sLo, sHi, a, tableBase, laneBytes, xbase);
            fwg_group<5>(acc, words, high, sLo, sHi, a, tableBase, laneBytes, xbase);
            fwg_group<6>(acc, words, high, sLo, sHi, a, tableBase, laneBytes, xbase);
            fwg_group<7>(acc, words, high, sLo, sHi, a, tableBase, laneBytes, xbase);
        } else if constexpr (FWG_KG == 2) {
            fwg_group<2>(acc, words, high, sLo, sHi, a, tableBase, laneBytes, xbase);
            fwg_group<4>(acc, words, high, sLo, sHi, a, tableBase, laneBytes, xbase);
            fwg_group<6>(acc, words, high, sLo, sHi, a, tableBase, laneBytes, xbase);
        } else {
            fwg_group<4>(acc, words, high, sLo, sHi, a, tableBase, laneBytes, xbase);
        }
    } while (++u < count);
    wgm_wait<0>();
#pragma unroll
    for (int s = 0; s < FWG_SLABS; s++)
#pragma unroll
        for (int i = 0; i < FWG_BN / 2; i++) wgm_keep(acc[s][i]);

    if (splits > 1) {
        wgm_store_partials<FWG_BN, FWG_SLABS>(acc, partials, split, N, rowTiles, mtBase, n0, wg, warp, lane);
        return;
    }
    // Every consumer is done with the pipeline's shared memory (the producer finished: all stages were consumed).
    asm volatile("bar.sync 1, %0;\n" ::"n"(FWG_CONSUMERS) : "memory");
    u16* ys = reinterpret_cast<u16*>(stages);
#pragma unroll
    for (int s = 0; s < FWG_SLABS; s++) {
        const int rowTile = (wg * FWG_SLABS + s) * 4 + warp;
#pragma unroll
        for (int e2 = 0; e2 < 2; e2++) {
            const int ml = rowTile * 16 + g + 8 * e2;
#if FWG_POST
            const int m = mtBase * 16 + ml;
            const float f = m < OC ? fwg_row_scale(scales, m) : 0.f;
#else
            const float f = 1.f;
#endif
#pragma unroll
            for (int i = 0; i < FWG_BN / 8; i++)
#pragma unroll
                for (int e1 = 0; e1 < 2; e1++) ys[(8 * i + 2 * t + e1) * FWG_YSTRIDE + ml] = to16(acc[s][4 * i + 2 * e2 + e1] * f);
        }
    }
    asm volatile("bar.sync 1, %0;\n" ::"n"(FWG_CONSUMERS) : "memory");
    wgm_store_tile<FWG_BN, FWG_BM, FWG_YSTRIDE>(ys, Y, N, OC, n0, mtBase * 16, tid, FWG_CONSUMERS);
#endif
}

// X' (wgmma_common.cu's wgm_permute_x) in the FLUTE K order: k-step S = chunk c, MMA step j; lane t's columns
// c·CK + t·KL + 4j + {0…3}. Rows padded to a multiple of BN (zeros), columns to 128·KT (zeros past IC).
extern "C" __global__ void __launch_bounds__(256)
flute_wgmma_permute_x(const u16* __restrict__ X, unsigned char* __restrict__ Xt, int N, int IC, int KT) {
    wgm_permute_x<FWG_BN>(X, Xt, N, IC, KT, [](int S, int t) { return (S / STEPS) * CK + t * KL + 4 * (S % STEPS); });
}

// Y[n][m] = factor(m) · Σ_s partials[s][n][m] in split order (deterministic); factor = the row scale (FWG_POST) or 1.
extern "C" __global__ void __launch_bounds__(256)
flute_wgmma_reduce(const float* __restrict__ partials, const u32* __restrict__ scales, u16* __restrict__ Y, int N,
                   int OC, int splits) {
    wgm_reduce(partials, N, OC, splits, [&](int m) { return FWG_POST ? fwg_row_scale(scales, m) : 1.f; },
               [&](long long idx, float v) { Y[idx] = to16(v); });
}
