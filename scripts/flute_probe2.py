#!/usr/bin/env python3
"""Session 3 (issue 7): the v7 streaming configuration of flute_gemm (FLUTE_CTA: CTA-granular Stream-K with the
row-tile reduction in shared memory; FLUTE_ASYNC: cp.async weight ring; FLUTE_PRMT; FLUTE_XSMEM) against the
committed kernel, with stage-removal probes and the read kernels, in one process. Same timing and checks as
flute_probe.py (its run_plan): weights rotated over > 4x the L2, launches behind a spin, median of 30, every kernel
variant checked against dequantize + fp32 matmul, bit-identical reruns, counters reset.

  python3 scripts/flute_probe2.py --ref REF.cu [--json F] [--quick]

REF.cu = the committed kernel (variant "A", and the reference dequantize kernel).
"""
import argparse, os, sys
import numpy as np
import cupy as cp
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flute_probe as P

CUR = P.CUR
SMS = P.SMS


class V(P.Variant):
    """A variant; cta = FLUTE_CTA schedule (grid from shared memory and registers, 1+ CTAs per SM)."""
    def __init__(self, name, path, defines=None, ctas=2, warps=8, prefetch=4, check=True):
        super().__init__(name, path, defines, ctas=ctas, warps=warps, prefetch=prefetch, check=check)

    M = 1

    def smem(self, s, nt):
        d = self.defines
        lut = (1 << (2 * s.bits)) << (8 if d.get("FLUTE_PRMT") else 7)
        slots = d.get("FLUTE_SLOTS", 2)
        cta = slots * self.warps * 4 * nt * 32 * 4 + 16 * slots if d.get("FLUTE_CTA") else 0
        per_lane = (24 if s.bits == 3 else 16) + (4 if d.get("FLUTE_ASYNC_SCALE") else 0)
        ring = self.warps * self.prefetch * 32 * per_lane if d.get("FLUTE_ASYNC") else 0
        total = cta + ring + 2 * lut + P.xsmem_bytes(self, s, self.M)
        if total > 232448: raise ValueError(f"{total} bytes of shared memory")
        return total


def ctas_per_sm(v, s, nt):
    regs = v.compiled(s, nt)[1]
    by_regs = 65536 // (((regs + 7) // 8 * 8) * 32 * v.warps) if regs > 0 else v.ctas
    by_smem = (228 * 1024) // (v.smem(s, nt) + 1024)
    return max(1, min(v.ctas, by_regs, by_smem))


def launch(v, L, x, y, M, state):
    s = L.s
    v.M = M
    nt = 1 if M <= 8 else 2 if M <= 16 else 4 if M <= 32 else 8
    grid = SMS * ctas_per_sm(v, s, nt)
    m, _ = v.compiled(s, nt)
    f = m.get_function("flute_gemm")
    need = grid * v.warps * 2 * 4 * nt * 32
    if state.get("ws") is None or state["ws"].size < need: state["ws"] = cp.empty(need, dtype=cp.float32)
    if state.get("cnt") is None: state["cnt"] = cp.zeros(s.row_tiles, dtype=cp.uint32)
    smem = v.smem(s, nt)
    if smem > 48 * 1024: f.max_dynamic_shared_size_bytes = smem
    f((grid,), (v.warps * 32,), (L.low, L.high, L.scales, L.table, x, y, state["ws"], state["cnt"],
                                 np.int32(M), np.int32(s.outputs), np.int32(s.inputs), np.int32(s.inputs),
                                 np.int32(s.row_tiles), np.int32(s.chunks), np.int32(s.padded_groups),
                                 np.int32(s.group_shift)), shared_mem=smem)


P.launch = launch          # run_variant uses these
P.ctas_per_sm = lambda v, s, nt, M=1: ctas_per_sm(v, s, nt)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", required=True)
    ap.add_argument("--json", default="")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    REF = a.ref
    KS = {"FLUTE_CTA": 1, "FLUTE_ASYNC": 1}
    KPS = dict(KS, FLUTE_PRMT=1)
    A = V("A: committed", REF)
    p6 = V("K16PS pf6", CUR, KPS, ctas=1, warps=16, prefetch=6)
    p6x = V("K16PS pf6 xsmem", CUR, dict(KPS, FLUTE_XSMEM=1), ctas=1, warps=16, prefetch=6)
    p6xa = V("K16PS pf6 xsmem scale-ring", CUR, dict(KPS, FLUTE_XSMEM=1, FLUTE_ASYNC_SCALE=1), ctas=1, warps=16,
             prefetch=6)
    s6x = V("K16S pf6 xsmem", CUR, dict(KS, FLUTE_XSMEM=1), ctas=1, warps=16, prefetch=6)
    probes = [V("probe K16PS6x no x/scale", CUR, dict(KPS, FLUTE_XSMEM=1, FLUTE_NO_X=1, FLUTE_NO_SCALE=1), ctas=1,
                warps=16, prefetch=6, check=False),
              V("probe K16PS6x no scale", CUR, dict(KPS, FLUTE_XSMEM=1, FLUTE_NO_SCALE=1), ctas=1, warps=16,
                prefetch=6, check=False),
              V("probe K16PS6x stream only", CUR, dict(KPS, FLUTE_XSMEM=1, FLUTE_NO_X=1, FLUTE_NO_SCALE=1,
                                                       FLUTE_PROBE=4), ctas=1, warps=16, prefetch=6, check=False),
              V("probe K16PS6x no reduction", CUR, dict(KPS, FLUTE_XSMEM=1, FLUTE_PROBE=3), ctas=1, warps=16,
                prefetch=6, check=False)]
    shapes = [(8192, 8192), (10240, 8192), (57344, 8192), (8192, 28672)]
    plan = [(4, 1, [A, p6, p6x, p6xa] + probes, shapes)]
    if not a.quick:
        plan += [(2, 1, [A, s6x], shapes), (3, 1, [A, s6x], shapes)]
    print(f"device {torch.cuda.get_device_name(0)}, {SMS} SMs", flush=True)
    P.run_plan(plan, REF, lambda s, layers: [
        ("read 1056x256", lambda: P.time_read(s, layers, SMS * 8, 256)),
        ("read chunks per-CTA", lambda: P.time_read_chunks(s, layers, 2))], a.json)


if __name__ == "__main__":
    with cp.cuda.ExternalStream(torch.cuda.current_stream().cuda_stream):
        main()
