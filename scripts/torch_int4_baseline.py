#!/usr/bin/env python3
"""Times PyTorch's int4 weight-only kernel (torch._weight_int4pack_mm, bf16 activations) and cuBLAS FP16
(torch.nn.functional.linear) on the Llama-2-70B shapes, for comparison with `lowbit bench gemm --format nf4`.

usage: python3 scripts/torch_int4_baseline.py [--batches 1,2,4,8,16,32,64,128] [--group-size 128]

Timing (same method as the FLUTE harness): weights rotated over copies totalling > 4x the L2 so every call
reads HBM; launches queued behind a spin kernel so the host is ahead of the GPU; CUDA events between
back-to-back launches; median. Prints one row per (shape, batch): microseconds and ratio to cuBLAS FP16.
"""
import argparse, os, statistics, sys
import torch

SHAPES = [(8192, 8192), (10240, 8192), (57344, 8192), (8192, 28672)]  # (out features, in features)

_spin = None
def spin(us):
    """Busy-wait on the GPU for `us` microseconds (so launches queue up behind it)."""
    global _spin
    if _spin is None:
        try:
            import cupy
            _spin = cupy.RawKernel(r'''extern "C" __global__ void spin(long long ns) {
                long long t0; asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
                long long t = t0; while (t - t0 < ns) asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t)); }''', "spin")
        except Exception:
            _spin = False
    if _spin:
        import cupy
        with cupy.cuda.ExternalStream(torch.cuda.current_stream().cuda_stream):
            _spin((1,), (1,), (cupy.int64(us * 1000),))
    else:
        torch.cuda._sleep(int(us * 1500))

def time_calls(calls, reps=30, spin_us=3000):
    """calls: list of zero-argument callables (rotated). Returns the median microseconds of one call."""
    for f in calls[:2]: f()
    torch.cuda.synchronize()
    events = [torch.cuda.Event(enable_timing=True) for _ in range(reps + 1)]
    spin(spin_us)
    events[0].record()
    for r in range(reps):
        calls[r % len(calls)]()
        events[r + 1].record()
    torch.cuda.synchronize()
    return statistics.median(events[r].elapsed_time(events[r + 1]) * 1000 for r in range(reps))

def copies_for(nbytes, l2=None):
    l2 = l2 or torch.cuda.get_device_properties(0).L2_cache_size
    return max(2, -(-4 * l2 // max(1, nbytes)) + 1)

def cublas_fp16_calls(n, k, m, dtype=torch.float16):
    reps = copies_for(n * k * 2)
    ws = [torch.randn(n, k, device="cuda", dtype=dtype) * 0.02 for _ in range(reps)]
    x = torch.randn(m, k, device="cuda", dtype=dtype)
    return [lambda w=w: torch.nn.functional.linear(x, w) for w in ws]

def int4pack_calls(n, k, m, group):
    """torch._weight_int4pack_mm: returns callables or raises if this torch lacks it."""
    reps = copies_for(n * k // 2)
    x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    calls = []
    for _ in range(reps):
        q = torch.randint(0, 16, (n, k), device="cuda", dtype=torch.int32)
        packed_u8 = (q[:, ::2] << 4 | q[:, 1::2]).to(torch.uint8)
        wp = torch._convert_weight_to_int4pack(packed_u8, 8)
        sz = torch.rand(k // group, n, 2, device="cuda", dtype=torch.bfloat16) * 0.01
        calls.append(lambda wp=wp, sz=sz: torch._weight_int4pack_mm(x, wp, group, sz))
    return calls

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", default="1,2,4,8,16,32,64,128,256,512,1024,4096")
    ap.add_argument("--group-size", type=int, default=128)
    a = ap.parse_args()
    print(f"device {torch.cuda.get_device_name(0)}, torch {torch.__version__}", flush=True)
    print(f"{'shape':>12} {'N':>5} {'cuBLAS fp16 us':>15} {'int4pack us':>12} {'int4 speedup':>12}")
    for (n, k) in SHAPES:
        for m in [int(b) for b in a.batches.split(",")]:
            tc = time_calls(cublas_fp16_calls(n, k, m))
            try:
                ti = time_calls(int4pack_calls(n, k, m, a.group_size))
                ratio = f"{tc / ti:.2f}x"
            except Exception as e:  # torch without the op, or a shape it rejects
                ti, ratio = float("nan"), f"n/a ({type(e).__name__})"
            print(f"{n:>6}x{k:<5} {m:>5} {tc:>15.1f} {ti:>12.1f} {ratio:>12}", flush=True)
            torch.cuda.empty_cache()

if __name__ == "__main__":
    main()
