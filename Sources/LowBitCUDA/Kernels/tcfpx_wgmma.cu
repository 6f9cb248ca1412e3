// Large-batch TC-FPx GEMM on Hopper: wgmma with the weights as the register A operand (LowBit, sm_90a).
//
// Compiled as ONE NVRTC program after tcfpx_gemm.cu and wgmma_common.cu (the host concatenates the sources; the
// generic wgmma, mbarrier, bulk-copy, permute and reduce code lives in wgmma_common.cu), so the packed
// layout's device code is shared, not copied: unit_index, load_segments, assemble<G>, cast4 and row_factor
// produce exactly the mma.sync m16n8k16 A registers, and the register A fragment of wgmma .m64nNk16 is that
// layout per warp (warp w of a warpgroup holds rows 16w … 16w + 15). Configuration (#defines, host-prepended):
//   TCFPX_E, TCFPX_M, TCFPX_BF16   weight format and activation type (tcfpx_gemm.cu)
//   WGM_BN                          batch columns per CTA (N of the wgmma: 32, 64, 128 or 192)
//   WGM_SLABS                       m64 slabs per consumer warpgroup
//   WGM_WGS                         consumer warpgroups (2, or 4 with 1 slab: more warps to hide the per-k-step
//                                   latency of small tiles); weight rows per CTA = 64 · WGS · SLABS
//   WGM_STAGES                      cp.async pipeline depth (≥ 3; loads run STAGES − 2 K units ahead)
//
// Y[N, OC] = X[N, IC] · (scale ⊙ FPx(W))ᵀ as D[OC tile, N tile] = A (dequantized weights, registers) ·
// B (activations, shared memory, K-major, 128-byte swizzle), FP32 accumulation in registers.
//
// The packed layout permutes K inside each 128-column unit (docs/tcfpx.md): k-step j of lane t covers physical
// columns 32⌊j/2⌋ + 8t + 4(j mod 2) + {0,1,2,3}. wgmma reads B in 16-byte rows of 8 consecutive k, so the
// activations are put into that order by a pass before the GEMM (tcfpx_wgmma_permute_x: X'[n][16S + 8q + 2t + e] =
// X[n][phys(S, t) + 2q + e], zero past IC). (Permuting them in the producer warpgroup instead was measured 1.3–2.1×
// slower, session 3: the loads sit in series with each stage; removed, docs/tcfpx-wgmma.md.)
//
// The same pass stores X' tile by tile exactly as a pipeline stage holds it in shared memory: for column block nb
// (BN rows, zero rows past N) and K unit kt, one contiguous BN·256-byte tile = two 64-column halves of BN rows of
// 128 bytes, 16-byte chunk c of row r at chunk c ^ (r mod 8) (the SWIZZLE_128B pattern wgmma reads). So a stage
// is 2–3 bulk copies (cp.async.bulk, the copy engine; no tensor map), completing on an mbarrier.
//
// CTA: one producer warpgroup (one thread issues the bulk copies of a stage: the activation tile and the CTA's weight
// units for one K unit, contiguous runs of the packed layout) and 2 consumer warpgroups, synchronized only by
// full/empty mbarriers per stage (no CTA-wide barrier in the main loop, so the two warpgroups drift apart and
// keep the tensor cores busy while the other dequantizes). Per k-step and warp: dequantize its 16 rows × 16 k of
// each slab (2 assemble + 2 cast4 → 4 registers), one wgmma per slab on the shared B tile, commit, and wait until
// at most one group is in flight (so the previous step's A registers are free; at k-step 0 this retires the
// previous unit, whose stage is then released). Split-K over blockIdx (FP32 partials + tcfpx_wgmma_reduce,
// deterministic) when the tiles alone do not fill the GPU.
#ifndef WGM_BN
#define WGM_BN 128
#endif
#ifndef WGM_SLABS
#define WGM_SLABS 2
#endif
#ifndef WGM_STAGES
#define WGM_STAGES 4
#endif
// wgmma groups in flight per warpgroup + 1 = A-register buffers: 2 (default: each k-step waits for the previous
// one) or 4 (opt-in, session 3, NOT yet timed or run on a GPU: three groups in flight, for the small tiles whose
// k-step chain is latency-bound — see docs/tcfpx-wgmma.md). Divides the 8 k-steps of a unit.
#ifndef WGM_RING
#define WGM_RING 2
#endif
static_assert(WGM_RING == 2 || WGM_RING == 4, "A-register ring of 2 or 4");
#ifndef WGM_GROUP_M
#define WGM_GROUP_M 8
#endif
#ifndef WGM_WGS
#define WGM_WGS 2
#endif
#define WGM_CONSUMERS (128 * WGM_WGS)
#define WGM_THREADS (WGM_CONSUMERS + 128)
#define WGM_BM (64 * WGM_WGS * WGM_SLABS)
#define WGM_BLOCKS (WGM_BM / 128)   /* layout row blocks (8 row tiles) per CTA */
// Registers after setmaxnreg. 2 consumer warpgroups: 384 threads start with 168 each; the producer gives 112 of
// them back, the consumers take 56 more each (128·56 + 256·224 = 65536). 4: 640 threads start with 96; the
// producer gives 64 back, the consumers take 16 more (128·32 + 512·112 = 61440).
#if WGM_WGS == 2
#define WGM_PRODUCER_REGS 56
#define WGM_CONSUMER_REGS 224
#else
#define WGM_PRODUCER_REGS 32
#define WGM_CONSUMER_REGS 112
#endif
#define WGM_XSTAGE (WGM_BN * 256)
#define WGM_WSTAGE (WGM_BLOCKS * 8 * TCFPX_UNIT_BYTES)
#define WGM_YSTRIDE (WGM_BM + 8)
static_assert(WGM_STAGES >= 3, "loads run STAGES - 2 units ahead");
static_assert(WGM_BN == 32 || WGM_BN == 64 || WGM_BN == 128 || WGM_BN == 192, "BN = 32, 64, 128 or 192");
static_assert(WGM_SLABS * WGM_BN <= 256, "accumulators: at most 128 registers per thread");
static_assert(WGM_WGS == 2 || (WGM_WGS == 4 && WGM_SLABS == 1 && WGM_BN <= 64), "4 consumer warpgroups: 1 slab, BN <= 64");
static_assert(WGM_BN * WGM_YSTRIDE * 2 <= WGM_STAGES * (WGM_XSTAGE + WGM_WSTAGE), "epilogue tile fits");
// The physical column (inside the padded row) of logical pair t of global k-step S (TC-FPx layout).
#define WGM_PHYS(S, t) (((S) >> 3) * 128 + 32 * (((S) & 7) >> 1) + 8 * (t) + 4 * ((S) & 1))

#define WGM_MMA wgm_mma<WGM_BN, TCFPX_BF16 != 0>

// One k-step J (0…7) of a K unit for this warp: dequantize, then one wgmma per slab on B columns 16J … 16J + 15.
template <int J>
__device__ __forceinline__ void wgm_step(float (&acc)[WGM_SLABS][WGM_BN / 2], const Segments (&seg)[WGM_SLABS],
                                         unsigned (&a)[WGM_RING][WGM_SLABS][4], unsigned xbase) {
    unsigned (&cur)[WGM_SLABS][4] = a[J % WGM_RING];
#pragma unroll
    for (int s = 0; s < WGM_SLABS; s++) {
        cast4(assemble<2 * J>(seg[s]), cur[s][0], cur[s][1]);
        cast4(assemble<2 * J + 1>(seg[s]), cur[s][2], cur[s][3]);
    }
    const unsigned long long desc = wgm_desc(xbase + (J >> 2) * (WGM_BN * 128) + (J & 3) * 32);
    wgm_fence();
#pragma unroll
    for (int s = 0; s < WGM_SLABS; s++) WGM_MMA(acc[s], cur[s], desc, 1);
    wgm_commit();
    // Step J − (RING − 1) has finished: its registers (a[(J + 1) mod RING]) may be rewritten by step J + 1.
    wgm_wait<WGM_RING - 1>();
#pragma unroll
    for (int s = 0; s < WGM_SLABS; s++)
#pragma unroll
        for (int r = 0; r < 4; r++) wgm_keep(a[(J + 1) % WGM_RING][s][r]);
}

extern "C" __global__ void __launch_bounds__(WGM_THREADS, 1)
tcfpx_wgmma(const unsigned char* __restrict__ W, const __half* __restrict__ scales, const act_t* __restrict__ Xt,
            act_t* __restrict__ Y, float* __restrict__ partials, int N, int OC, int IC,
            int KT, int mBlocks, int nBlocks, int splits, int unitsPerSplit) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    extern __shared__ unsigned char smemRaw[];
    __shared__ __align__(8) unsigned long long fullBar[WGM_STAGES], emptyBar[WGM_STAGES];
    unsigned char* smem = smemRaw + ((1024u - (smem_u32(smemRaw) & 1023u)) & 1023u);
    const int tid = threadIdx.x, lane = tid & 31, warp = (tid >> 5) & 3, wg = tid >> 7;
    const int g = lane >> 2, t = lane & 3;
    const int MTiles = (OC + 15) >> 4;
    // Tile order: the splits of a tile next to each other, then groups of WGM_GROUP_M row blocks with the
    // row block fastest (CTAs running together share activation tiles and weight blocks in L2).
    int b = blockIdx.x;
    const int split = b % splits;
    b /= splits;
    const int perGroup = WGM_GROUP_M * nBlocks;
    const int gm0 = (b / perGroup) * WGM_GROUP_M, gmSize = min(WGM_GROUP_M, mBlocks - gm0);
    const int mb = gm0 + (b % perGroup) % gmSize, nb = (b % perGroup) / gmSize;
    const int mtBase = mb * (WGM_BM / 16);
    const int n0 = nb * WGM_BN;
    const int ktBegin = split * unitsPerSplit;
    const int count = max(0, min(KT, ktBegin + unitsPerSplit) - ktBegin);
    if (tid == 0) {
#pragma unroll
        for (int s = 0; s < WGM_STAGES; s++) {
            wgm_bar_init(smem_u32(&fullBar[s]), 1u);
            wgm_bar_init(smem_u32(&emptyBar[s]), WGM_CONSUMERS / 32);
        }
        wgm_bar_init_fence();
    }
    __syncthreads();

    // Registers: 384 threads leave 168 each at launch; the producer warpgroup gives most of its share to the two
    // consumer warpgroups (setmaxnreg: 128·56 + 256·224 ≤ 65536).
    if (tid >= WGM_CONSUMERS) {  // producer warpgroup
        wgm_setmaxnreg_dec<WGM_PRODUCER_REGS>();
        const int ptid = tid - WGM_CONSUMERS;
        const unsigned char* xtile = reinterpret_cast<const unsigned char*>(Xt) + ((size_t)nb * KT + ktBegin) * WGM_XSTAGE;
        // One thread issues every stage's bulk copies: the activation tile and the CTA's weight units.
        for (int u = 0; u < (ptid == 0 ? count : 0); u++) {
            const int slot = u % WGM_STAGES, kt = ktBegin + u;
            if (u >= WGM_STAGES) wgm_bar_wait(smem_u32(&emptyBar[slot]), (unsigned)((u / WGM_STAGES) - 1) & 1u);
            const unsigned bar = smem_u32(&fullBar[slot]);
            unsigned bytes = (unsigned)WGM_XSTAGE;
#pragma unroll
            for (int blk = 0; blk < WGM_BLOCKS; blk++) {
                const int mt0 = mtBase + 8 * blk;
                if (mt0 < MTiles) bytes += min(8, MTiles - mt0) * TCFPX_UNIT_BYTES;
            }
            wgm_bar_expect(bar, bytes);
            wgm_bulk(smem_u32(smem + slot * WGM_XSTAGE), xtile + (size_t)u * WGM_XSTAGE, WGM_XSTAGE, bar);
            unsigned char* ws = smem + WGM_STAGES * WGM_XSTAGE + slot * WGM_WSTAGE;
#pragma unroll
            for (int blk = 0; blk < WGM_BLOCKS; blk++) {
                const int mt0 = mtBase + 8 * blk;
                if (mt0 >= MTiles) break;
                wgm_bulk(smem_u32(ws + blk * 8 * TCFPX_UNIT_BYTES), W + unit_index(mt0, kt, KT, MTiles) * TCFPX_UNIT_BYTES,
                         (unsigned)(min(8, MTiles - mt0) * TCFPX_UNIT_BYTES), bar);
            }
        }
        return;
    }

    wgm_setmaxnreg_inc<WGM_CONSUMER_REGS>();
    float acc[WGM_SLABS][WGM_BN / 2];
#pragma unroll
    for (int s = 0; s < WGM_SLABS; s++)
#pragma unroll
        for (int i = 0; i < WGM_BN / 2; i++) acc[s][i] = 0.f;
    unsigned a[WGM_RING][WGM_SLABS][4];
#pragma unroll
    for (int p = 0; p < WGM_RING; p++)
#pragma unroll
        for (int s = 0; s < WGM_SLABS; s++)
#pragma unroll
            for (int r = 0; r < 4; r++) a[p][s][r] = 0u;

    // count ≥ 1 (the host makes every split non-empty): a loop without a zero-trip path, so no copies of the
    // zero accumulators sit between the last wgmma and its wait (ptxas would serialize every wgmma: C7515).
    int u = 0;
    do {
        const int slot = u % WGM_STAGES;
        wgm_bar_wait(smem_u32(&fullBar[slot]), (unsigned)(u / WGM_STAGES) & 1u);
        wgm_fence_proxy();  // cp.async (generic) data → wgmma
        const unsigned char* ws = smem + WGM_STAGES * WGM_XSTAGE + slot * WGM_WSTAGE;
        Segments seg[WGM_SLABS];
#pragma unroll
        for (int s = 0; s < WGM_SLABS; s++)
            load_segments(seg[s], ws + ((wg * WGM_SLABS + s) * 4 + warp) * TCFPX_UNIT_BYTES, lane);
        const unsigned xbase = smem_u32(smem + slot * WGM_XSTAGE);
        // After step RING − 2 of this unit, unit u − 1's last wgmma group has retired: release its stage.
#define WGM_STEP(J)                                                                                  \
        wgm_step<J>(acc, seg, a, xbase);                                                             \
        if ((J) == WGM_RING - 2 && u > 0 && lane == 0)                                               \
            wgm_bar_arrive(smem_u32(&emptyBar[(u + WGM_STAGES - 1) % WGM_STAGES]));
        WGM_STEP(0) WGM_STEP(1) WGM_STEP(2) WGM_STEP(3) WGM_STEP(4) WGM_STEP(5) WGM_STEP(6) WGM_STEP(7)
#undef WGM_STEP
    } while (++u < count);
    wgm_wait<0>();
#pragma unroll
    for (int s = 0; s < WGM_SLABS; s++)
#pragma unroll
        for (int i = 0; i < WGM_BN / 2; i++) wgm_keep(acc[s][i]);

    // Accumulator i of slab s: row (16·(4·(wg·SLABS + s) + warp) + g + 8·((i >> 1) & 1)) of the CTA,
    // column 8·(i >> 2) + 2t + (i & 1).
    if (splits > 1) {
        wgm_store_partials<WGM_BN, WGM_SLABS>(acc, partials, split, N, MTiles, mtBase, n0, wg, warp, lane);
        return;
    }
    // Every consumer is done with the pipeline's shared memory (the producer finished: all stages were consumed).
    asm volatile("bar.sync 1, %0;\n" ::"n"(WGM_CONSUMERS) : "memory");
    unsigned short* ys = reinterpret_cast<unsigned short*>(smem);
#pragma unroll
    for (int s = 0; s < WGM_SLABS; s++) {
        const int rowTile = (wg * WGM_SLABS + s) * 4 + warp;
#pragma unroll
        for (int e2 = 0; e2 < 2; e2++) {
            const int ml = rowTile * 16 + g + 8 * e2, m = mtBase * 16 + ml;
            const float f = m < OC ? row_factor(scales, m) : 0.f;
#pragma unroll
            for (int i = 0; i < WGM_BN / 8; i++)
#pragma unroll
                for (int e1 = 0; e1 < 2; e1++) {
                    act_t v = float_to_act(acc[s][4 * i + 2 * e2 + e1] * f);
                    ys[(8 * i + 2 * t + e1) * WGM_YSTRIDE + ml] = *reinterpret_cast<unsigned short*>(&v);
                }
        }
    }
    asm volatile("bar.sync 1, %0;\n" ::"n"(WGM_CONSUMERS) : "memory");
    wgm_store_tile<WGM_BN, WGM_BM, WGM_YSTRIDE>(ys, reinterpret_cast<unsigned short*>(Y), N, OC, n0, mtBase * 16, tid,
                                                 WGM_CONSUMERS);
#endif
}

// X' (see the header): one thread per 16-byte chunk, written where a pipeline stage expects it. Rows are padded
// to a multiple of BN (zeros), columns to 128·KT (zeros past IC).
extern "C" __global__ void __launch_bounds__(256)
tcfpx_wgmma_permute_x(const act_t* __restrict__ X, act_t* __restrict__ Xt, int N, int IC, int KT) {
    wgm_permute_x<WGM_BN>(reinterpret_cast<const unsigned short*>(X), reinterpret_cast<unsigned char*>(Xt), N, IC, KT,
                          [](int S, int t) { return WGM_PHYS(S, t); });
}

// Y[n][m] = scale factor(m) · Σ_s partials[s][n][m] in split order (deterministic).
extern "C" __global__ void __launch_bounds__(256)
tcfpx_wgmma_reduce(const float* __restrict__ partials, const __half* __restrict__ scales, act_t* __restrict__ Y,
                   int N, int OC, int splits) {
    wgm_reduce(partials, N, OC, splits, [&](int m) { return row_factor(scales, m); },
               [&](long long idx, float v) { Y[idx] = float_to_act(v); });
}
