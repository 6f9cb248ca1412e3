#!/usr/bin/env python3
"""Where does FLUTE's time go? Times kernel variants side by side in one process (CuPy's NVRTC + PyTorch events),
on the Llama-2-70B shapes, G = 128, weights rotated over > 4x the L2, host ahead of the GPU (spin kernel).

  python3 scripts/flute_probe.py [--v3 PATH_TO_V3.cu] [--quick]
  python3 scripts/flute_probe.py --ncu VARIANT      (three launches of one variant on 8192x8192, for ncu)

Variants: the committed v3 source (reference), the current flute.cu with its knobs (FLUTE_SCALE_AHEAD,
FLUTE_DEFER_FLUSH, FLUTE_FILL_FIRST), launch configurations, and timing probes that leave one stage out
(FLUTE_PROBE: 1 returns at entry = the launch of the same grid, 2 no table fill, 3 no Stream-K reduction, 4 no
lookups/MMAs), plus a plain streaming read of the same code bytes (the practical floor at this size).
Every non-probe variant is checked against dequantize (v3 kernel) + fp32 matmul, and for bit-identical reruns.
Prints one line per (variant, shape) and a fit time = a + b * chunks over the shapes per variant.
"""
import argparse, os, sys, time
import numpy as np
import cupy as cp
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flute_pack as fp
from torch_int4_baseline import time_calls, copies_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CUR = os.path.join(ROOT, "Sources/LowBitCUDA/Kernels/flute.cu")
SMS = torch.cuda.get_device_properties(0).multi_processor_count
NF = {4: [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
          -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
          0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
          0.7229568362236023, 1.0],
      3: [-1, -0.478629, -0.217142, 0, 0.160930, 0.337915, 0.562617, 1], 2: [-1, 0, 0.337915, 1]}

READ_SRC = r'''
extern "C" __global__ void read_stream(const uint4* __restrict__ p, long long n, unsigned* out) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    unsigned h = 0;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += 4 * stride) {
        uint4 v[4];
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            const long long k = i + j * stride;
            if (k < n) asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0,%1,%2,%3}, [%4];"
                                    : "=r"(v[j].x), "=r"(v[j].y), "=r"(v[j].z), "=r"(v[j].w) : "l"(p + k));
            else v[j] = make_uint4(0, 0, 0, 0);
        }
#pragma unroll
        for (int j = 0; j < 4; ++j) h ^= v[j].x ^ v[j].y ^ v[j].z ^ v[j].w;
    }
    if (h == 0x9E3779B9u) out[0] = h;
}

__device__ __forceinline__ uint4 ld16(const uint4* p) {
    uint4 v;
    asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0,%1,%2,%3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}
// FLUTE's access pattern without its work: 512-byte chunks, a ring of 4 per warp. ranges = 1: warp w streams its
// own contiguous range (as flute_gemm); ranges = 0: chunk j of warp w is j * W + w (the whole GPU sweeps one window);
// ranges = 2: CTA b streams its own contiguous range, its warps interleaved (FLUTE_CTA's schedule).
extern "C" __global__ void read_chunks(const uint4* __restrict__ p, long long chunks, int ranges, unsigned* out) {
    const int lane = threadIdx.x & 31;
    const long long W = (long long)gridDim.x * (blockDim.x >> 5);
    const long long w = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const long long cw = blockDim.x >> 5, k = threadIdx.x >> 5;
    const long long clo = blockIdx.x * chunks / gridDim.x, chi = (blockIdx.x + 1) * chunks / gridDim.x;
    const long long lo = ranges == 1 ? w * chunks / W : 0;
    const long long hi = ranges == 1 ? (w + 1) * chunks / W
                       : ranges == 2 ? (chi - clo - k + cw - 1) / cw : (chunks - w + W - 1) / W;
    auto at = [&](long long j) {
        return p + (ranges == 1 ? lo + j : ranges == 2 ? clo + k + j * cw : j * W + w) * 32 + lane; };
    const long long n = hi - lo;
    unsigned h = 0;
    uint4 r[4];
#pragma unroll
    for (int i = 0; i < 4; ++i) r[i] = i < n ? ld16(at(i)) : make_uint4(0, 0, 0, 0);
    for (long long j = 0; j < n; j += 4) {
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            if (j + i >= n) break;
            h ^= r[i].x ^ r[i].y ^ r[i].z ^ r[i].w;
            if (j + i + 4 < n) r[i] = ld16(at(j + i + 4));
        }
    }
    if (h == 0x9E3779B9u) out[0] = h;
}
'''

_mods = {}
def module(path, defines):
    key = (path, tuple(sorted(defines.items())))
    if key not in _mods:
        src = open(path).read()
        opts = tuple(f"-D{k}={v}" for k, v in sorted(defines.items())) + ("--std=c++17",)
        m = cp.RawModule(code=src, options=opts, backend="nvrtc")
        f = m.get_function("flute_gemm")
        try: regs = int(f.num_regs)
        except Exception:
            try: regs = int(f.attributes["num_regs"])
            except Exception: regs = 0
        _mods[key] = (m, regs)
    return _mods[key]

class Variant:
    def __init__(self, name, path, defines=None, ctas=2, warps=8, prefetch=4, minb=1, check=True):
        self.name, self.path, self.defines = name, path, dict(defines or {})
        self.ctas, self.warps, self.prefetch, self.minb, self.check = ctas, warps, prefetch, minb, check

    def compiled(self, s, nt):
        d = {"FLUTE_BITS": s.bits, "FLUTE_NT": nt, "FLUTE_BF16": 0, "FLUTE_WARPS": self.warps,
             "FLUTE_PREFETCH": self.prefetch, "FLUTE_POST_SCALE": int(s.kernel_group >= s.ck),
             "FLUTE_MINB": self.minb if nt <= 2 else 1}
        d.update(self.defines)
        return module(self.path, d)

class Layer:
    def __init__(self, s, codes, scales, table):
        self.s, self.codes, self.scales, self.table = s, codes, scales, table
        lowbytes = s.row_tiles * s.chunks * 32 * 16
        self.low = codes[:lowbytes]
        self.high = codes[lowbytes:] if s.bits == 3 else codes[:8]

def xsmem_bytes(v, s, M):
    return M * (s.chunks * s.ck + 8) * 2 if v.defines.get("FLUTE_XSMEM") else 0

def ctas_per_sm(v, s, nt, M=1):
    """As FLUTEGemm.gridSize: the requested CTAs per SM, at most what registers and shared memory allow."""
    regs = v.compiled(s, nt)[1]
    by_regs = 65536 // (((regs + 7) // 8 * 8) * 32 * v.warps) if regs > 0 else v.ctas
    by_smem = (228 * 1024) // (2 * (1 << (2 * s.bits)) * 32 * 4 + xsmem_bytes(v, s, M) + 1024)
    return max(1, min(v.ctas, by_regs, by_smem))

def launch(v, L, x, y, M, state):
    """One fused call (M <= 64). state keeps the workspace and counters of this variant."""
    s = L.s
    nt = 1 if M <= 8 else 2 if M <= 16 else 4 if M <= 32 else 8
    grid = SMS * ctas_per_sm(v, s, nt, M)
    m, _ = v.compiled(s, nt)
    f = m.get_function("flute_gemm")
    need = grid * v.warps * 2 * 4 * nt * 32
    if state.get("ws") is None or state["ws"].size < need: state["ws"] = cp.empty(need, dtype=cp.float32)
    if state.get("cnt") is None: state["cnt"] = cp.zeros(s.row_tiles, dtype=cp.uint32)
    smem = 2 * (1 << (2 * s.bits)) * 32 * 4 + xsmem_bytes(v, s, M)
    if smem > 48 * 1024: f.max_dynamic_shared_size_bytes = smem
    f((grid,), (v.warps * 32,), (L.low, L.high, L.scales, L.table, x, y, state["ws"], state["cnt"],
                                 np.int32(M), np.int32(s.outputs), np.int32(s.inputs), np.int32(s.inputs),
                                 np.int32(s.row_tiles), np.int32(s.chunks), np.int32(s.padded_groups),
                                 np.int32(s.group_shift)), shared_mem=smem)

def make_layers(bits, n, k):
    s = fp.Shape(bits, n, k, 128)
    nbytes = s.code_bytes + s.row_tiles * s.padded_groups * 8 * 4
    table = cp.asarray(fp.pair_table(NF[bits], bits, False))
    rng = np.random.default_rng(bits * 1000 + n)
    layers = []
    for _ in range(copies_for(nbytes)):
        codes = cp.random.randint(0, 256, size=s.code_bytes, dtype=cp.uint8)
        sc = cp.asarray(rng.uniform(0.005, 0.05, size=s.row_tiles * s.padded_groups * 16)
                        .astype(np.float16).view(np.uint32))
        layers.append(Layer(s, codes, sc, table))
    return s, nbytes, layers

def reference(v3path, L, xt):
    """Dense weights from the v3 dequantize kernel (GPU-validated), fp32 matmul."""
    s = L.s
    m, _ = module(v3path, {"FLUTE_BITS": s.bits, "FLUTE_NT": 1, "FLUTE_BF16": 0})
    w = cp.empty(s.outputs * s.inputs, dtype=cp.uint16)
    vectors = s.row_tiles * s.chunks
    m.get_function("flute_dequantize")(((vectors + 7) // 8,), (256,), (
        L.low, L.high, L.scales, L.table, w, np.int32(s.outputs), np.int32(s.inputs), np.int32(s.inputs),
        np.int32(s.row_tiles), np.int32(s.chunks), np.int32(s.padded_groups), np.int32(s.group_shift),
        np.int32(0), np.int32(s.row_tiles)))
    wt = torch.as_tensor(w, device="cuda").view(torch.float16).reshape(s.outputs, s.inputs)
    return xt.float() @ wt.float().T

def run_variant(v, s, layers, M, xt, x, ref, v3path):
    state = {}
    y = cp.empty(M * s.outputs, dtype=cp.uint16)
    t = time_calls([lambda L=L: launch(v, L, x, y, M, state) for L in layers])
    note = ""
    if v.check:
        y1 = cp.full(M * s.outputs, 0xFFFF, dtype=cp.uint16)
        launch(v, layers[0], x, y1, M, state)
        y2 = cp.full(M * s.outputs, 0xFFFF, dtype=cp.uint16)
        launch(v, layers[0], x, y2, M, state)
        yt = torch.as_tensor(y1, device="cuda").view(torch.float16).reshape(M, s.outputs).float()
        err = float((yt - ref).norm() / ref.norm())
        nan = int(torch.isnan(yt).sum())
        same = bool(cp.all(y1 == y2))
        zero = bool(cp.all(state["cnt"] == 0))
        ok = err <= 1e-3 and nan == 0 and same and zero
        note = f"{'ok' if ok else 'FAIL'} rel {err:.1e} nan {nan} same {same} counters0 {zero}"
    nt = 1 if M <= 8 else 2 if M <= 16 else 4 if M <= 32 else 8
    return t, f"{v.compiled(s, nt)[1]:3d} regs {ctas_per_sm(v, s, nt, M)} CTA/SM", note, note.startswith("ok")

def time_read_chunks(s, layers, ranges):
    m = cp.RawModule(code=READ_SRC, backend="nvrtc", options=("--std=c++17",))
    f = m.get_function("read_chunks")
    out = cp.zeros(1, dtype=cp.uint32)
    n = s.row_tiles * s.chunks
    return time_calls([lambda L=L: f((SMS * 2,), (256,), (L.codes, np.int64(n), np.int32(ranges), out)) for L in layers])

def time_read(s, layers, grid, block):
    m = cp.RawModule(code=READ_SRC, backend="nvrtc", options=("--std=c++17",))
    f = m.get_function("read_stream")
    out = cp.zeros(1, dtype=cp.uint32)
    n16 = s.code_bytes // 16
    return time_calls([lambda L=L: f((grid,), (block,), (L.codes, np.int64(n16), out)) for L in layers])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--v3", default=os.path.join(ROOT, "flute_v3.cu"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--ncu", default="")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    V3 = a.v3
    base = {"FLUTE_SCALE_AHEAD": 0, "FLUTE_DEFER_FLUSH": 0, "FLUTE_FILL_FIRST": 1, "FLUTE_REDUCE_LITE": 0}
    lite = dict(base, FLUTE_REDUCE_LITE=1)
    xs = dict(lite, FLUTE_XSMEM=1, FLUTE_SCALE_AHEAD=1)
    variants = [
        Variant("v3 (committed source)", V3),                                        # 0
        Variant("A: v3 + fill-first", CUR, base),                                    # 1
        Variant("B: A + reduce-lite", CUR, lite),                                    # 2
        Variant("A + xsmem", CUR, dict(base, FLUTE_XSMEM=1)),                        # 3
        Variant("A + xsmem + scale-ahead", CUR, dict(base, FLUTE_XSMEM=1, FLUTE_SCALE_AHEAD=1)),  # 4
        Variant("C: B + xsmem + scale-ahead", CUR, xs),                              # 5
        Variant("B + xsmem", CUR, dict(lite, FLUTE_XSMEM=1)),                        # 6
        Variant("E: C, x slots 1", CUR, dict(xs, FLUTE_XSMEM_SLOTS=1)),              # 7
        Variant("C prefetch 6", CUR, xs, prefetch=6),                                # 8
        Variant("E prefetch 6", CUR, dict(xs, FLUTE_XSMEM_SLOTS=1), prefetch=6),     # 9
        Variant("E prefetch 8", CUR, dict(xs, FLUTE_XSMEM_SLOTS=1), prefetch=8),     # 10
        Variant("C minb 2", CUR, xs, minb=2),                                        # 11
        Variant("B + scale-ahead", CUR, dict(lite, FLUTE_SCALE_AHEAD=1)),            # 12
        Variant("probe empty (C grid)", CUR, dict(xs, FLUTE_PROBE=1), check=False),
        Variant("probe C: no table", CUR, dict(xs, FLUTE_PROBE=2), check=False),
        Variant("probe C: no reduction", CUR, dict(xs, FLUTE_PROBE=3), check=False),
        Variant("probe C: no lookup/MMA", CUR, dict(xs, FLUTE_PROBE=4), check=False),
        Variant("probe A: no reduction", CUR, dict(base, FLUTE_PROBE=3), check=False),
    ]
    if a.ncu:
        v = {"v3": variants[0], "A": variants[1], "C": variants[5], "E": variants[7]}[a.ncu]
        s, _, layers = make_layers(4, 8192, 8192)
        x = cp.asarray(torch.randn(1, 8192, device="cuda", dtype=torch.float16).view(torch.int16)).view(cp.uint16).ravel()
        y = cp.empty(8192, dtype=cp.uint16)
        st = {}
        for i in range(3): launch(v, layers[i % len(layers)], x, y, 1, st)
        torch.cuda.synchronize()
        return
    print(f"device {torch.cuda.get_device_name(0)}, {SMS} SMs", flush=True)
    shapes = [(8192, 8192), (10240, 8192), (57344, 8192), (8192, 28672)]
    plan = [(4, 1, variants, shapes)]
    if not a.quick:
        pick = [variants[i] for i in (0, 1, 2, 5, 7, 11)]
        plan += [(2, 1, pick, shapes[::2]), (3, 1, pick, shapes[::2]), (4, 2, pick, shapes[:1]),
                 (4, 4, pick, shapes[:1]), (4, 16, [variants[i] for i in (0, 1, 2)], shapes[::2])]
    def read_rows(s, layers):
        rows = [(f"read {g}x{b}", lambda g=g, b=b: time_read(s, layers, g, b)) for (g, b) in [(SMS * 8, 256), (SMS * 2, 256)]]
        return rows + [("read chunks, " + ("per-warp ranges" if r else "GPU-wide sweep"),
                        lambda r=r: time_read_chunks(s, layers, r)) for r in (1, 0)]
    run_plan(plan, V3, read_rows, a.json)


def run_plan(plan, ref_path, read_rows, json_path=""):
    """Times every (bits, M, variants, shapes) entry of `plan` (checked variants against the dequantize kernel of
    ref_path + fp32 matmul), the read kernels of read_rows(s, layers) -> [(name, fn)] at 4-bit N=1, then prints the
    fit time = a + b * chunks per variant. Shared by flute_probe.py and flute_probe2.py."""
    results, records = {}, []
    T0 = time.time()
    for (bits, M, vs, shp) in plan:
        for (n, k) in shp:
            t0 = time.time()
            s, nbytes, layers = make_layers(bits, n, k)
            xt = torch.randn(M, k, device="cuda", dtype=torch.float16)
            x = cp.asarray(xt.view(torch.int16)).view(cp.uint16).ravel()
            ref = reference(ref_path, layers[0], xt)
            chunks = s.row_tiles * s.chunks
            print(f"== b{bits} N={M} {n}x{k}: {nbytes / 1e6:.1f} MB, {chunks} chunks, {len(layers)} copies", flush=True)
            if bits == 4 and M == 1:
                for key, fn in read_rows(s, layers):
                    try:
                        t = fn()
                        results.setdefault((bits, M, key), []).append((chunks, t))
                        print(f"  {key:<28} {t:8.1f} us  {s.code_bytes / t / 1e6:6.2f} TB/s (codes only)", flush=True)
                    except Exception as e:
                        print(f"  {key} failed: {str(e)[:200]}", flush=True)
            for v in vs:
                try:
                    t, regs, note, ok = run_variant(v, s, layers, M, xt, x, ref, ref_path)
                except Exception as e:
                    print(f"  {v.name:<28} failed: {str(e)[:300]}", flush=True)
                    continue
                results.setdefault((bits, M, v.name), []).append((chunks, t))
                records.append({"bits": bits, "M": M, "shape": f"{n}x{k}", "variant": v.name, "us": t, "ok": ok})
                print(f"  {v.name:<28} {t:8.1f} us  {nbytes / t / 1e6:6.2f} TB/s  {regs}  {note}", flush=True)
            del layers
            torch.cuda.empty_cache(); cp.get_default_memory_pool().free_all_blocks()
            print(f"  ({time.time() - t0:.1f} s, total {time.time() - T0:.0f} s)", flush=True)
    if json_path:
        import json
        json.dump(records, open(json_path, "w"), indent=0)
    print("== fit time = a + b * chunks (us, ns/chunk) per variant over its shapes")
    for (bits, M, name), pts in results.items():
        if len(pts) < 2: continue
        c = np.array([p[0] for p in pts], dtype=np.float64); t = np.array([p[1] for p in pts])
        b, a0 = np.polyfit(c, t, 1)
        print(f"  b{bits} N={M} {name:<28} a {a0:6.2f} us  b {b * 1e3:6.3f} ns/chunk  "
              f"({', '.join(f'{x:.1f}' for x in t)})")

if __name__ == "__main__":
    with cp.cuda.ExternalStream(torch.cuda.current_stream().cuda_stream):
        main()
