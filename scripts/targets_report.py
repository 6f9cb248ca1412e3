#!/usr/bin/env python3
"""Which of issue #6's and #7's speed targets a set of `lowbit bench gemm --device cuda` outputs meets, and by how much
the others are missed. Usage: scripts/targets_report.py BENCH.txt... [--torch torch_int4_baseline_output.txt]
Reads the `auto` lines (format, shape, N, µs, roof %, × cuBLAS); prints one markdown line per target."""
import re, sys, collections

LINE = re.compile(r'(\S+) auto (\d+)×(\d+) N=(\d+) ([\d.]+) µs [\d.]+ GB/s ([\d.]+)% roof cuBLAS ([\d.]+) µs ([\d.]+)×')
TORCH = re.compile(r'\s*(\d+)x(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s')

def load(paths):
    cells = {}
    for p in paths:
        for line in open(p, encoding='utf-8'):
            m = LINE.match(re.sub(' +', ' ', line))
            if m:
                fmt, oc, ic, n, t, roof, cb, sp = m.groups()
                cells[(fmt, f'{oc}×{ic}', int(n))] = dict(us=float(t), roof=float(roof) / 100, speedup=float(sp))
    return cells

def check(name, cells, fmt, nmin, nmax, key, bound):
    sel = [(k, v) for k, v in sorted(cells.items(), key=lambda kv: (kv[0][2], kv[0][1]))
           if k[0] == fmt and nmin <= k[2] <= nmax]
    if not sel:
        return
    miss = [(k, v[key]) for k, v in sel if v[key] < bound]
    unit = (lambda x: f'{100 * x:.0f} %') if key == 'roof' else (lambda x: f'{x:.2f}×')
    text = f'- {name}: {len(sel) - len(miss)} of {len(sel)} cells meet {unit(bound)}'
    if miss:
        worst = min(miss, key=lambda kv: kv[1])
        text += (f'; missed in {len(miss)} (N = {sorted({k[2] for k, _ in miss})}), worst {unit(worst[1])} '
                 f'({worst[0][1]}, N = {worst[0][2]}), i.e. {100 * (1 - worst[1] / bound):.0f} % short')
    print(text)

def main():
    args = sys.argv[1:]
    torch = None
    if '--torch' in args:
        i = args.index('--torch'); torch = args[i + 1]; del args[i:i + 2]
    cells = load(args)
    fmts = sorted({k[0] for k in cells})
    for f in fmts:
        if f == 'fp6':
            check('#6 fp6 N = 1…16 roofline', cells, f, 1, 16, 'roof', 0.90)
            check('#6 fp6 N = 1…16 speed-up', cells, f, 1, 16, 'speedup', 2.4)
            check('#6 fp6 N = 32…64', cells, f, 32, 64, 'speedup', 1.8)
        elif f in ('fp5', 'fp4'):
            check(f'#6 {f} N = 1…16 speed-up', cells, f, 1, 16, 'speedup', 2.9 if f == 'fp5' else 3.4)
        elif f.startswith('nf') or f.startswith('lut'):
            bits = int(re.match(r'\D+(\d)', f).group(1))
            check(f'#7 {f} N = 1…16 roofline', cells, f, 1, 16, 'roof', 0.88)
            check(f'#7 {f} N = 1…16 speed-up', cells, f, 1, 16, 'speedup', {4: 3.3, 3: 4.2, 2: 5.8}[bits])
            if bits == 4:
                check(f'#7 {f} N = 32…64', cells, f, 32, 64, 'speedup', 2.5)
        check(f'{f} N = 128…4096 never below cuBLAS', cells, f, 128, 4096, 'speedup', 1.0)
    if torch:
        rows = [m.groups() for m in map(TORCH.match, open(torch, encoding='utf-8')) if m]
        nf4 = [f for f in fmts if f.startswith('nf4')]
        if nf4:
            total, slower = 0, []
            for oc, ic, n, _, t in rows:
                c = cells.get((nf4[0], f'{oc}×{ic}', int(n)))
                if c:
                    total += 1
                    if c['us'] >= float(t):
                        slower.append(f'{oc}×{ic} N = {n}: {c["us"]} vs {t} µs')
            print(f'- #7 {nf4[0]} faster than torch int4: {total - len(slower)} of {total} cells'
                  + (f'; slower in {"; ".join(slower)}' if slower else ''))

if __name__ == '__main__':
    main()
