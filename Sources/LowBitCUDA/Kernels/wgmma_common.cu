// Generic Hopper (sm_90a) wgmma building blocks shared by the large-batch kernels (LowBit).
//
// Concatenated by the host in front of each wgmma kernel file (tcfpx_wgmma.cu, flute_wgmma.cu) into ONE NVRTC
// program: this file defines no kernels and depends on nothing else (16-bit activations travel as raw bits).
//   * wgmma.mma_async m64nNk16 wrappers (N = 32, 64, 128, 192, 256; f16 or bf16 operands, FP32 accumulators, A from
//     registers, B from shared memory), `wgm_mma<N, BF16>` picks one;
//   * the shared-memory matrix descriptor for K-major B with the 128-byte swizzle, fence / commit / wait;
//   * mbarriers (init, parity wait, arrive, arrive.expect_tx) and 1-D bulk copies (cp.async.bulk) completing on them;
//   * setmaxnreg;
//   * wgm_permute_x: X put into a kernel's K order and into the exact shared-memory image of its pipeline stages
//     (tiles of BN rows × 128 k, two swizzled 64-column halves), one thread per 16-byte chunk;
//   * wgm_reduce: deterministic split-K reduction of FP32 partials (splits summed in order).

// ---- wgmma.mma_async (generated: one asm per N via WGM_MMA_ASM, f16 and bf16) ----
// Operand lists per N (generated): D registers, A + descriptor + predicate operands, outputs.
#define WGM_D32 "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15}"
#define WGM_A32 "{%16, %17, %18, %19}, %20, p, 1, 1, 0;"
#define WGM_P32 "%21"
#define WGM_O32 "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15])
#define WGM_D64 "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}"
#define WGM_A64 "{%32, %33, %34, %35}, %36, p, 1, 1, 0;"
#define WGM_P64 "%37"
#define WGM_O64 "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31])
#define WGM_D128 "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}"
#define WGM_A128 "{%64, %65, %66, %67}, %68, p, 1, 1, 0;"
#define WGM_P128 "%69"
#define WGM_O128 "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
#define WGM_D192 "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, %64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, %80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95}"
#define WGM_A192 "{%96, %97, %98, %99}, %100, p, 1, 1, 0;"
#define WGM_P192 "%101"
#define WGM_O192 "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]), "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]), "+f"(d[71]), "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]), "+f"(d[78]), "+f"(d[79]), "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]), "+f"(d[85]), "+f"(d[86]), "+f"(d[87]), "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]), "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95])
#define WGM_D256 "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, %64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, %80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95, %96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111, %112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127}"
#define WGM_A256 "{%128, %129, %130, %131}, %132, p, 1, 1, 0;"
#define WGM_P256 "%133"
#define WGM_O256 "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]), "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]), "+f"(d[71]), "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]), "+f"(d[78]), "+f"(d[79]), "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]), "+f"(d[85]), "+f"(d[86]), "+f"(d[87]), "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]), "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95]), "+f"(d[96]), "+f"(d[97]), "+f"(d[98]), "+f"(d[99]), "+f"(d[100]), "+f"(d[101]), "+f"(d[102]), "+f"(d[103]), "+f"(d[104]), "+f"(d[105]), "+f"(d[106]), "+f"(d[107]), "+f"(d[108]), "+f"(d[109]), "+f"(d[110]), "+f"(d[111]), "+f"(d[112]), "+f"(d[113]), "+f"(d[114]), "+f"(d[115]), "+f"(d[116]), "+f"(d[117]), "+f"(d[118]), "+f"(d[119]), "+f"(d[120]), "+f"(d[121]), "+f"(d[122]), "+f"(d[123]), "+f"(d[124]), "+f"(d[125]), "+f"(d[126]), "+f"(d[127])
// One wgmma.mma_async m64nNk16 with A from registers (4 × b32), B by descriptor, FP32 D; scaleD = 0 overwrites D.
#define WGM_MMA_ASM(N, T)                                                                                        \
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, " WGM_P##N ", 0;\n"                                          \
                 "wgmma.mma_async.sync.aligned.m64n" #N "k16.f32." T "." T " " WGM_D##N ", " WGM_A##N "\n}\n" \
                 : WGM_O##N                                                                                       \
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc), "r"(scaleD))
#define WGM_DEFINE_MMA(N)                                                                                      \
    template <bool BF16>                                                                                       \
    __device__ __forceinline__ void wgmma_m64n##N##k16(float* d, const unsigned* a, unsigned long long desc,  \
                                                       int scaleD) {                                          \
        if constexpr (BF16) WGM_MMA_ASM(N, "bf16"); else WGM_MMA_ASM(N, "f16");                                \
    }
WGM_DEFINE_MMA(32)
WGM_DEFINE_MMA(64)
WGM_DEFINE_MMA(128)
WGM_DEFINE_MMA(192)
WGM_DEFINE_MMA(256)

// D (FP32, N/2 registers per thread) += A (4 registers: the mma.sync m16n8k16 A fragment of warp w's 16 rows) ·
// B (descriptor) for N = 32, 64, 128, 192 or 256.
template <int N, bool BF16>
__device__ __forceinline__ void wgm_mma(float* d, const unsigned* a, unsigned long long desc, int scaleD) {
    static_assert(N == 32 || N == 64 || N == 128 || N == 192 || N == 256, "wgm_mma: N = 32, 64, 128, 192 or 256");
    if constexpr (N == 32) wgmma_m64n32k16<BF16>(d, a, desc, scaleD);
    else if constexpr (N == 64) wgmma_m64n64k16<BF16>(d, a, desc, scaleD);
    else if constexpr (N == 128) wgmma_m64n128k16<BF16>(d, a, desc, scaleD);
    else if constexpr (N == 192) wgmma_m64n192k16<BF16>(d, a, desc, scaleD);
    else wgmma_m64n256k16<BF16>(d, a, desc, scaleD);
}

__device__ __forceinline__ unsigned wgm_smem(const void* p) { return (unsigned)__cvta_generic_to_shared(p); }

// Shared-memory matrix descriptor: start address >> 4 (bits 0–13), leading byte offset 16 B (unused for
// swizzled K-major), stride byte offset 1024 B (8 rows of 128 B, bits 32–45), layout SWIZZLE_128B (bits 62–63 = 1).
__device__ __forceinline__ unsigned long long wgm_desc(unsigned addr) {
    return (unsigned long long)((addr & 0x3FFFFu) >> 4) | (1ull << 16) | ((unsigned long long)(1024 >> 4) << 32) |
           (1ull << 62);
}
__device__ __forceinline__ void wgm_fence() { asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory"); }
__device__ __forceinline__ void wgm_commit() { asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory"); }
template <int N>
__device__ __forceinline__ void wgm_wait() { asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory"); }
// Keeps a register live and ordered against the wgmma waits (no copies of in-flight registers).
__device__ __forceinline__ void wgm_keep(float& r) { asm volatile("" : "+f"(r)::"memory"); }
__device__ __forceinline__ void wgm_keep(unsigned& r) { asm volatile("" : "+r"(r)::"memory"); }

// setmaxnreg (takes effect only with a register cap at entry: __launch_bounds__(threads, 1)).
template <int R>
__device__ __forceinline__ void wgm_setmaxnreg_dec() { asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;\n" ::"n"(R) : "memory"); }
template <int R>
__device__ __forceinline__ void wgm_setmaxnreg_inc() { asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\n" ::"n"(R) : "memory"); }

// mbarriers (PTX ISA 8.0): a stage's `full` barrier completes when its bulk copies landed (one arrival + transaction
// bytes), its `empty` barrier when every consumer warp is done with it.
__device__ __forceinline__ void wgm_bar_init(unsigned bar, unsigned count) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count));
}
__device__ __forceinline__ void wgm_bar_init_fence() { asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory"); }
__device__ __forceinline__ void wgm_bar_wait(unsigned bar, unsigned parity) {
    asm volatile(
        "{\n.reg .pred P1;\n"
        "WGM_WAIT:\n"
        "mbarrier.try_wait.parity.shared::cta.b64 P1, [%0], %1;\n"
        "@P1 bra WGM_DONE;\n"
        "bra WGM_WAIT;\n"
        "WGM_DONE:\n}\n" ::"r"(bar), "r"(parity) : "memory");
}
__device__ __forceinline__ void wgm_bar_arrive(unsigned bar) {
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}
__device__ __forceinline__ void wgm_bar_expect(unsigned bar, unsigned bytes) {
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes) : "memory");
}
// 1-D bulk copy global → shared (bytes and both addresses multiples of 16), completing `bytes` on `bar`.
__device__ __forceinline__ void wgm_bulk(unsigned dst, const void* src, unsigned bytes, unsigned bar) {
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];\n"
                 ::"r"(dst), "l"(src), "r"(bytes), "r"(bar) : "memory");
}
// Generic-proxy writes (or cp.async data) → async proxy (wgmma, bulk copies).
__device__ __forceinline__ void wgm_fence_proxy() { asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory"); }

// X' for a wgmma kernel whose packed weights permute K: logical k-step S (16 k) of row n holds
//   X'[n][16S + 8q + 2t + e] = X[n][phys(S, t) + 2q + e]   (q, e ∈ {0, 1}, t = 0…3; zero past IC and for n ≥ N),
// i.e. lane t's A registers a0/a1 (q = 0) and a2/a3 (q = 1) of k-step S cover physical columns phys(S, t) + {0…3}.
// Stored tile by tile as a pipeline stage holds it: for column block nb (BN rows) and K unit kt (128 k) one
// contiguous BN·256-byte tile = two 64-column halves of BN rows × 128 bytes, 16-byte chunk c of row r at chunk
// c ^ (r mod 8) (the SWIZZLE_128B pattern wgmma reads). One thread per 16-byte chunk, grid-stride. `phys(S, t)`
// must be even (4-byte loads when IC is even and X is 4-byte aligned).
template <int BN, typename Phys>
__device__ __forceinline__ void wgm_permute_x(const unsigned short* __restrict__ x, unsigned char* __restrict__ xt,
                                              int N, int IC, int KT, Phys phys) {
    const int chunksPerRow = KT * 16;
    const int rows = (N + BN - 1) / BN * BN;
    const long long total = (long long)rows * chunksPerRow;
    const bool pairs = (IC & 1) == 0 && (reinterpret_cast<size_t>(x) & 3) == 0;
    for (long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (long long)gridDim.x * blockDim.x) {
        const int n = (int)(idx / chunksPerRow), c = (int)(idx % chunksPerRow);
        const int S = c >> 1, q = c & 1;
        unsigned v[4] = {0u, 0u, 0u, 0u};
        if (n < N) {
            const unsigned short* row = x + (size_t)n * IC;
#pragma unroll
            for (int tt = 0; tt < 4; tt++) {
                const int k = phys(S, tt) + 2 * q;
                if (pairs && k + 1 < IC) {
                    v[tt] = *reinterpret_cast<const unsigned*>(row + k);
                } else {
                    const unsigned lo = k < IC ? row[k] : 0u, hi = k + 1 < IC ? row[k + 1] : 0u;
                    v[tt] = lo | (hi << 16);
                }
            }
        }
        const int kt = c >> 4, cc = c & 15, r = n % BN;
        const size_t tile = (size_t)(n / BN) * KT + kt;
        const size_t byte = tile * (BN * 256) + (cc >> 3) * (BN * 128) + r * 128 + (((cc & 7) ^ (r & 7)) << 4);
        *reinterpret_cast<uint4*>(xt + byte) = make_uint4(v[0], v[1], v[2], v[3]);
    }
}

// Split-K epilogue: this warp's FP32 accumulators of each slab into partials[split][n][OCP] (OCP = row tiles · 16).
// Accumulator i of slab s: row 16·(mtBase + 4·(wg·SLABS + s) + warp) + g + 8·((i >> 1) & 1), batch column
// n0 + 8·(i >> 2) + 2t + (i & 1) (the wgmma m64nN D fragment; g = lane / 4, t = lane % 4).
template <int BN, int SLABS>
__device__ __forceinline__ void wgm_store_partials(const float (&acc)[SLABS][BN / 2], float* __restrict__ partials,
                                                   int split, int N, int rowTiles, int mtBase, int n0, int wg, int warp,
                                                   int lane) {
    const int OCP = rowTiles * 16, g = lane >> 2, t = lane & 3;
#pragma unroll
    for (int s = 0; s < SLABS; s++) {
        const int mt = mtBase + (wg * SLABS + s) * 4 + warp;
        if (mt >= rowTiles) continue;
#pragma unroll
        for (int i = 0; i < BN / 2; i++) {
            const int m = mt * 16 + g + 8 * ((i >> 1) & 1);
            const int n = n0 + 8 * (i >> 2) + 2 * t + (i & 1);
            if (n < N) partials[((size_t)split * N + n) * OCP + m] = acc[s][i];
        }
    }
}

// Epilogue: the CTA's output tile, staged in shared memory as BN rows of YSTRIDE 16-bit values (row nl = batch row
// n0 + nl, column c = output m0 + c), stored to Y[N][OC] with 16-byte stores when OC is a multiple of 8.
template <int BN, int BM, int YSTRIDE>
__device__ __forceinline__ void wgm_store_tile(const unsigned short* ys, unsigned short* __restrict__ Y, int N, int OC,
                                               int n0, int m0, int tid, int threads) {
    const bool vec = (OC & 7) == 0;
    for (int i = tid; i < BN * (BM / 8); i += threads) {
        const int nl = i / (BM / 8), c = i % (BM / 8);
        const int n = n0 + nl, m = m0 + c * 8;
        if (n >= N || m >= OC) continue;
        unsigned short* dst = Y + (size_t)n * OC + m;
        const unsigned short* src = ys + nl * YSTRIDE + c * 8;
        if (vec) {
            *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(src);
        } else {
            for (int e = 0; e < 8 && m + e < OC; e++) dst[e] = src[e];
        }
    }
}

// Split-K: Y[n][m] = store(idx, factor(m) · Σ_s partials[s][n][m]) with the splits summed in order (deterministic).
// Partials: [splits][N][OCP], OCP = OC rounded up to 16.
template <typename Factor, typename Store>
__device__ __forceinline__ void wgm_reduce(const float* __restrict__ partials, int N, int OC, int splits,
                                           Factor factor, Store store) {
    const int OCP = (OC + 15) & ~15;
    const long long total = (long long)N * OC;
    for (long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x; idx < total;
         idx += (long long)gridDim.x * blockDim.x) {
        const int n = (int)(idx / OC), m = (int)(idx % OC);
        float sum = 0.f;
        for (int s = 0; s < splits; s++) sum += partials[((size_t)s * N + n) * OCP + m];
        store(idx, sum * factor(m));
    }
}
