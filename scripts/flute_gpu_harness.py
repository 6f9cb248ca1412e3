#!/usr/bin/env python3
"""GPU check and timing of Sources/LowBitCUDA/Kernels/flute.cu without the Swift backend (CuPy's NVRTC + PyTorch).

  python3 scripts/flute_gpu_harness.py [--quick] [--out DIR]

1. Correctness: random codes/scales/tables packed by flute_pack.py (pinned to the Swift packer by hashes),
   every bit width, group sizes 32/64/128/256/per-row, odd shapes, batches 1..64, fp16 and bf16, several grid
   sizes (exercises the Stream-K partial/full paths), outputs poisoned with NaN first, float64 reference;
   determinism: two runs bit-identical.
2. Timing on the Llama-2-70B shapes (G = 128): FLUTE fused, FLUTE dequantize + cuBLAS, cuBLAS FP16 and
   torch._weight_int4pack_mm, in one run; copy roofline measured in the same run.
"""
import argparse, math, os, statistics, sys, time
import numpy as np
import cupy as cp
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flute_pack as fp
from torch_int4_baseline import time_calls, copies_for, cublas_fp16_calls, int4pack_calls, SHAPES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = open(os.path.join(ROOT, "Sources/LowBitCUDA/Kernels/flute.cu")).read()
NF4 = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
       -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
       0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0]
NF3 = [-1, -0.478629, -0.217142, 0, 0.160930, 0.337915, 0.562617, 1]
NF2 = [-1, 0, 0.337915, 1]
TABLES = {4: NF4, 3: NF3, 2: NF2}
SMS = torch.cuda.get_device_properties(0).multi_processor_count
EXPERIMENTAL = int(os.environ.get("LOWBIT_FLUTE_SCALE_AHEAD", "0") == "1")  # scales in the weight ring

_modules = {}
def module(bits, nt, bf16, warps=8, prefetch=4, post=0, minb=1):
    key = (bits, nt, bf16, warps, prefetch, post, minb)
    if key not in _modules:
        t0 = time.time()
        opts = (f"-DFLUTE_BITS={bits}", f"-DFLUTE_NT={nt}", f"-DFLUTE_BF16={int(bf16)}", f"-DFLUTE_WARPS={warps}",
                f"-DFLUTE_PREFETCH={prefetch}", f"-DFLUTE_POST_SCALE={post}", f"-DFLUTE_MINB={minb}", "--std=c++17",
                f"-DFLUTE_SCALE_AHEAD={EXPERIMENTAL}", "-DFLUTE_DEQ_WIDE=1")
        m = cp.RawModule(code=SRC, options=opts, backend="nvrtc")
        m.get_function("flute_gemm")
        _modules[key] = m
        print(f"  compiled {key} in {time.time() - t0:.1f}s", flush=True)
    return _modules[key]

class Layer:
    """Packed weights on the GPU."""
    def __init__(self, shape, codes_dev, scales_dev, table_dev, table):
        self.s, self.codes, self.scales, self.table, self.table_host = shape, codes_dev, scales_dev, table_dev, table
        lowbytes = shape.row_tiles * shape.chunks * 32 * 16
        self.low = codes_dev[:lowbytes]
        self.high = codes_dev[lowbytes:] if shape.bits == 3 else codes_dev[:8]

def gemm(layer, x, y, M, bf16, ctas_per_sm=2, warps=8, prefetch=4, ctas=None, ws=None, counters=None, minb=1):
    s = layer.s
    post = int(s.kernel_group >= s.ck)
    done = 0
    while done < M:  # batch slices of up to 64 rows (NT = 8)
        m = min(64, M - done)
        nt = (m + 7) // 8
        nt = 1 if nt == 1 else 2 if nt == 2 else 4 if nt <= 4 else 8
        mod = module(s.bits, nt, bf16, warps, prefetch, post, minb if nt == 1 else 1)
        f = mod.get_function("flute_gemm")
        grid = ctas or SMS * ctas_per_sm
        total_warps = grid * warps
        need = total_warps * 2 * 4 * nt * 32
        if ws is None or ws.size < need: ws = cp.empty(need, dtype=cp.float32)
        if counters is None: counters = cp.zeros(s.row_tiles, dtype=cp.uint32)
        smem = 2 * (1 << (2 * s.bits)) * 32 * 4  # FLUTE_SMEM_BYTES
        if smem > 48 * 1024: f.max_dynamic_shared_size_bytes = smem
        xs = x[done * s.inputs:] if done else x
        ys = y[done * s.outputs:] if done else y
        f((grid,), (warps * 32,), (layer.low, layer.high, layer.scales, layer.table, xs, ys, ws, counters,
                                   np.int32(m), np.int32(s.outputs), np.int32(s.inputs), np.int32(s.inputs),
                                   np.int32(s.row_tiles), np.int32(s.chunks), np.int32(s.padded_groups),
                                   np.int32(s.group_shift)), shared_mem=smem)
        done += m
    return ws, counters

def dequantize(layer, w, bf16):
    s = layer.s
    f = module(s.bits, 1, bf16).get_function("flute_dequantize")
    vectors = s.row_tiles * s.chunks
    f(((vectors + 7) // 8,), (256,), (layer.low, layer.high, layer.scales, layer.table, w, np.int32(s.outputs),
                                      np.int32(s.inputs), np.int32(s.inputs), np.int32(s.row_tiles),
                                      np.int32(s.chunks), np.int32(s.padded_groups), np.int32(s.group_shift),
                                      np.int32(0), np.int32(s.row_tiles)))

def make_layer(bits, outputs, inputs, group, bf16, rng, table=None):
    s = fp.Shape(bits, outputs, inputs, group)
    codes = rng.integers(0, 1 << bits, size=(outputs, inputs), dtype=np.uint8)
    scales_f = rng.uniform(0.005, 0.05, size=(outputs, s.groups_per_row)).astype(np.float32)
    scales = scales_f.astype(np.float16).view(np.uint16)
    table = table if table is not None else TABLES[bits]
    packed, words = fp.pack(codes, scales, s)
    if bf16:  # scales re-rounded to bf16 (as FLUTEPackedWeight.scalesAsBFloat16)
        lo = (words & 0xffff).astype(np.uint16).view(np.float16).astype(np.float32).view(np.uint32)
        hi = (words >> 16).astype(np.uint16).view(np.float16).astype(np.float32).view(np.uint32)
        rb = lambda b: ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype(np.uint32)
        words = rb(lo) | (rb(hi) << 16)
    layer = Layer(s, cp.asarray(packed), cp.asarray(words.astype(np.uint32)),
                  cp.asarray(fp.pair_table(table, bits, bf16)), table)
    # float64 reference weights: exact table value x fp16 scale
    w = np.asarray(table, dtype=np.float64)[codes] * np.repeat(
        scales.view(np.float16).astype(np.float64), s.kernel_group if group else inputs, axis=1)[:, :inputs]
    return layer, w

def to_torch(a, dtype):
    return torch.as_tensor(a, device="cuda").view(dtype)

def check_case(bits, outputs, inputs, group, M, bf16, rng, ctas_list, log):
    inputs8 = inputs  # the launcher pads X rows to a multiple of 8 inputs; test shapes here use such inputs
    layer, w = make_layer(bits, outputs, inputs8, group, bf16, rng)
    tdt = torch.bfloat16 if bf16 else torch.float16
    xt = (torch.randn(M, inputs8, device="cuda", dtype=torch.float32)).to(tdt)
    x = cp.asarray(xt.view(torch.int16)).view(cp.uint16).ravel()
    ref = (xt.double() @ torch.as_tensor(w, device="cuda").T)
    worst = 0.0
    outs = []
    for ctas in ctas_list:
        y = cp.full(M * outputs, 0xFFFF, dtype=cp.uint16)  # NaN poison
        ws, cnt = gemm(layer, x, y, M, bf16, ctas=ctas)
        yt = to_torch(y, tdt).reshape(M, outputs).double()
        nan = int(torch.isnan(yt).sum())
        err = float((yt - ref).norm() / ref.norm())
        y2 = cp.full(M * outputs, 0xFFFF, dtype=cp.uint16)
        gemm(layer, x, y2, M, bf16, ctas=ctas, ws=ws, counters=cnt)
        same = bool(cp.all(y == y2))
        cnt_zero = bool(cp.all(cnt == 0))
        worst = max(worst, err if nan == 0 else float("inf"))
        tol = 1e-2 if bf16 else 1e-3
        ok = nan == 0 and err <= tol and same and cnt_zero
        outs.append(ok)
        if not ok or log:
            print(f"  {'ok ' if ok else 'FAIL'} b{bits} {outputs}x{inputs} G={group} M={M} {'bf16' if bf16 else 'fp16'} "
                  f"ctas={ctas}: rel {err:.2e} nan {nan} deterministic {same} counters-reset {cnt_zero}", flush=True)
    return all(outs), worst

def correctness(quick):
    rng = np.random.default_rng(int(time.time()))
    print("== correctness (rel. error vs float64; fp16 <= 1e-3, bf16 <= 1e-2; NaN-poisoned outputs; 2 runs bit-identical)")
    cases = []
    shapes = [(576, 576), (192, 576), (1536, 576), (100, 264), (33, 72), (4096, 4096)]
    for bits in (4, 3, 2):
        for group in (32, 64, 128, 256, None):
            for (o, i) in shapes[:5]:
                cases.append((bits, o, i, group, [1, 5, 16, 64][(o + i + (group or 7)) % 4], False))
        for M in (1, 2, 8, 9, 16, 24, 33, 64, 100, 600):
            cases.append((bits, 4096, 4096, 128, M, False))
            cases.append((bits, 1536, 576, 64, M, True))
    if quick: cases = cases[::4]
    failures, worst = 0, {False: 0.0, True: 0.0}
    for (bits, o, i, group, M, bf16) in cases:
        ctas_list = [SMS * 2, 3, 1, SMS * 4 + 7]
        ok, w = check_case(bits, o, i, group, M, bf16, rng, ctas_list, log=False)
        failures += not ok
        worst[bf16] = max(worst[bf16], w)
    print(f"correctness: {len(cases)} cases x 4 grid sizes, {failures} failed; worst rel err fp16 {worst[False]:.2e}, "
          f"bf16 {worst[True]:.2e}", flush=True)
    return failures

def copy_roofline():
    a = torch.empty(1 << 30, dtype=torch.uint8, device="cuda"); b = torch.empty_like(a)
    t = time_calls([lambda: b.copy_(a)], reps=10)
    return 2 * a.numel() / (t * 1e-6)

def timing(batches, bits_list, variants, verbose=False):
    bw = copy_roofline()
    print(f"== timing: copy roofline {bw / 1e12:.3f} TB/s (read + write), {SMS} SMs", flush=True)
    rng = np.random.default_rng(1)
    rows = []
    print(f"{'shape':>12} {'b':>2} {'N':>5} {'cuBLAS us':>10} {'int4pk us':>10} {'FLUTE us':>9} {'cfg':>10} {'roof%':>6} "
          f"{'x cuBLAS':>8} {'x int4':>7} {'deq+cuBLAS us':>13}", flush=True)
    for (n, k) in SHAPES:
        for bits in bits_list:
            s = fp.Shape(bits, n, k, 128)
            nbytes = s.code_bytes + s.row_tiles * s.padded_groups * 8 * 4
            copies = copies_for(nbytes)
            table = cp.asarray(fp.pair_table(TABLES[bits], bits, False))
            layers = []
            for _ in range(copies):
                codes = cp.random.randint(0, 256, size=s.code_bytes, dtype=cp.uint8)
                sc = cp.asarray(rng.uniform(0.005, 0.05, size=s.row_tiles * s.padded_groups * 16).astype(np.float16).view(np.uint32))
                layers.append(Layer(s, codes, sc, table, TABLES[bits]))
            for M in batches:
                xt = torch.randn(M, k, device="cuda", dtype=torch.float16)
                x = cp.asarray(xt.view(torch.int16)).view(cp.uint16).ravel()
                y = cp.empty(M * n, dtype=cp.uint16)
                best = None
                for (cps, warps, pf, mb) in variants:
                    st = {}
                    def call(L, cps=cps, warps=warps, pf=pf, mb=mb):
                        st["ws"], st["cnt"] = gemm(L, x, y, M, False, ctas_per_sm=cps, warps=warps, prefetch=pf,
                                                   ws=st.get("ws"), counters=st.get("cnt"), minb=mb)
                    try:
                        t = time_calls([lambda L=L: call(L) for L in layers])
                    except Exception as e:
                        print(f"  variant {cps, warps, pf, mb} failed: {e}", flush=True); continue
                    if verbose: print(f"    variant {cps}/{warps}/{pf}/{mb}: {t:.1f} us", flush=True)
                    if best is None or t < best[0]: best = (t, f"{cps}/{warps}/{pf}/{mb}")
                # check the fused result on this shape against dequantize + fp32 matmul
                wd = cp.empty(n * k, dtype=cp.uint16); dequantize(layers[0], wd, False)
                wt = to_torch(wd, torch.float16).reshape(n, k)
                call_ws = {}
                gemm(layers[0], x, y, M, False, ws=None)
                ref = xt.float() @ wt.float().T
                err = float((to_torch(y, torch.float16).reshape(M, n).float() - ref).norm() / ref.norm())
                tc = time_calls(cublas_fp16_calls(n, k, M))
                try:
                    ti = time_calls(int4pack_calls(n, k, M, 128)) if bits == 4 else float("nan")
                except Exception as e:
                    ti = float("nan")
                deq_w = [cp.empty(n * k, dtype=cp.uint16) for _ in range(2)]
                def deq_call(L, i):
                    dequantize(L, deq_w[i % 2], False)
                    torch.nn.functional.linear(xt, to_torch(deq_w[i % 2], torch.float16).reshape(n, k))
                td = time_calls([lambda L=L, i=i: deq_call(L, i) for i, L in enumerate(layers)]) if M >= 128 else float("nan")
                t, cfg = best
                roof = nbytes / (t * 1e-6) / bw
                rows.append((n, k, bits, M, tc, ti, t, cfg, roof, td, err))
                print(f"{n:>6}x{k:<5} {bits:>2} {M:>5} {tc:>10.1f} {ti:>10.1f} {t:>9.1f} {cfg:>10} {100 * roof:>5.1f}% "
                      f"{tc / t:>7.2f}x {ti / t:>6.2f}x {td:>13.1f}  err {err:.1e}", flush=True)
                del y
            del layers
            torch.cuda.empty_cache(); cp.get_default_memory_pool().free_all_blocks()
    return rows

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skip-check", action="store_true")
    ap.add_argument("--skip-timing", action="store_true")
    ap.add_argument("--batches", default="1,4,16,32,64,128,512")
    ap.add_argument("--bits", default="4,3,2")
    ap.add_argument("--variants", default="2/8/4/1,3/8/4/3,5/4/4/1")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    print(f"device {torch.cuda.get_device_name(0)}, {SMS} SMs, cupy {cp.__version__}, torch {torch.__version__}", flush=True)
    with cp.cuda.ExternalStream(torch.cuda.current_stream().cuda_stream):
        fails = 0 if a.skip_check else correctness(a.quick)
        variants = [tuple(int(v) for v in s.split("/")) for s in a.variants.split(",")]
        if not a.skip_timing: timing([int(b) for b in a.batches.split(",")], [int(b) for b in a.bits.split(",")], variants, a.verbose)
    print(f"correctness failures: {fails}")

if __name__ == "__main__":
    main()
