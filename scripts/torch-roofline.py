#!/usr/bin/env python3
"""PyTorch baseline for `lowbit bench roofline`: device-to-device copy bandwidth and torch.matmul FP16/BF16
on the same shapes, timed the same way (repetitions queued behind a spin kernel, an event between
consecutive repetitions, median; weights rotated over > 4x L2). With the JSON of
`lowbit bench roofline --json` as argument, prints LowBit / PyTorch ratios.

Usage: python3 scripts/torch-roofline.py [roofline.json]
"""
import json, math, statistics, sys
import torch

dev = torch.device("cuda")
props = torch.cuda.get_device_properties(dev)
L2 = props.L2_cache_size


def measure(fn, reps=50, warmup=5):
    for i in range(warmup):
        fn(i)
    torch.cuda.synchronize()
    events = [torch.cuda.Event(enable_timing=True) for _ in range(reps + 1)]
    torch.cuda._sleep(int(2e6))  # ~1 ms at ~2 GHz: the host queues everything meanwhile
    events[0].record()
    for i in range(reps):
        fn(i)
        events[i + 1].record()
    torch.cuda.synchronize()
    return statistics.median(events[i].elapsed_time(events[i + 1]) * 1000 for i in range(reps))  # µs


def rotation(bytes_per_set):
    return max(2, (4 * L2) // bytes_per_set + 1)


results = {}
nbytes = 2 << 30
src = torch.randint(0, 255, (nbytes,), dtype=torch.uint8, device=dev)
dst = torch.empty_like(src)
t = measure(lambda i: dst.copy_(src), reps=20, warmup=3)
results["copy"] = 2 * nbytes / (t * 1e-6)
print(f"torch {torch.__version__} on {props.name}: device-to-device copy {2 * nbytes / 1e9:.1f} GB moved, "
      f"{t:.1f} µs median, {results['copy'] / 1e12:.3f} TB/s")

gemm = {}
for dtype in (torch.float16, torch.bfloat16):
    n = 8192
    ws = [torch.randn(n, n, device=dev, dtype=dtype) * 0.05 for _ in range(rotation(n * n * 2))]
    x = torch.randn(n, n, device=dev, dtype=dtype)
    t = measure(lambda i: torch.matmul(x, ws[i % len(ws)].t()), reps=20)
    gemm[str(dtype)] = t
    print(f"torch.matmul {dtype} 8192^3: {t:.1f} µs median, {2 * n ** 3 / (t * 1e-6) / 1e12:.1f} TFLOP/s")
    del ws, x

shapes = [(8192, 8192), (10240, 8192), (57344, 8192), (8192, 28672)]
batches = [1, 8, 16, 32, 64, 128, 256]
torch_times = {}
for oc, ic in shapes:
    ws = [torch.randn(oc, ic, device=dev, dtype=torch.float16) * 0.05 for _ in range(rotation(oc * ic * 2))]
    for n in batches:
        x = torch.randn(n, ic, device=dev, dtype=torch.float16)
        torch_times[(oc, ic, n)] = measure(lambda i: torch.matmul(x, ws[i % len(ws)].t()))
    del ws
print("torch.matmul FP16 x[N,IC] @ w[OC,IC].T, median µs")
print(f"{'OC×IC':<13}" + "".join(f"{'N=' + str(n):>10}" for n in batches))
for oc, ic in shapes:
    print(f"{f'{oc}×{ic}':<13}" + "".join(f"{torch_times[(oc, ic, n)]:>10.1f}" for n in batches))

if len(sys.argv) > 1:
    ours = json.load(open(sys.argv[1]))
    def median(samples):
        return statistics.median(samples)
    read = ours["read"]
    read_bw = read["bytes"] / (median(read["timing"]["samplesMicroseconds"]) * 1e-6)
    print(f"\nLowBit read kernel {read_bw / 1e12:.3f} TB/s = {read_bw / results['copy']:.3f} × torch copy "
          f"({'within' if abs(read_bw / results['copy'] - 1) <= 0.10 else 'OUTSIDE'} 10%)")
    for c in ours["copies"]:
        bw = c["bytes"] / (median(c["timing"]["samplesMicroseconds"]) * 1e-6)
        print(f"LowBit {c['name']}: {bw / 1e12:.3f} TB/s = {bw / results['copy']:.3f} × torch copy")
    for g in ours["gemm"]:
        t = median(g["timing"]["samplesMicroseconds"])
        key = "torch.float16" if g["type"] == "float16" else "torch.bfloat16"
        print(f"LowBit cuBLAS {g['type']} 8192^3: {t:.1f} µs = {t / gemm[key]:.3f} × torch.matmul")
    print("LowBit cuBLAS time / torch.matmul time, FP16, Llama-2-70B shapes")
    print(f"{'OC×IC':<13}" + "".join(f"{'N=' + str(n):>10}" for n in batches))
    ratios = []
    for oc, ic in shapes:
        line = f"{f'{oc}×{ic}':<13}"
        for n in batches:
            g = next(g for g in ours["llama70B"] if g["rows"] == n and g["outFeatures"] == oc and g["inFeatures"] == ic)
            r = median(g["timing"]["samplesMicroseconds"]) / torch_times[(oc, ic, n)]
            ratios.append(r)
            line += f"{r:>10.3f}"
        print(line)
    print(f"geometric mean ratio {math.exp(sum(map(math.log, ratios)) / len(ratios)):.3f}, "
          f"range {min(ratios):.3f}..{max(ratios):.3f}")
