#!/usr/bin/env python3
"""Compile-checks Sources/LowBitCUDA/Kernels/tcfpx_gemm.cu with NVRTC (no GPU needed) for a set of
configurations and prints ptxas register/spill reports. Usage: .venv-nvrtc/bin/python scripts/tcfpx_nvrtc_check.py"""
import ctypes, glob, os, sys, itertools
site = (glob.glob(os.path.join(os.path.dirname(__file__), '..', '.venv-nvrtc/lib/python3*/site-packages/nvidia/cu13'))
        + glob.glob(os.path.expanduser('~/.cache/lowbit/cuda-ci/venv/lib/python3*/site-packages/nvidia/cu13')))[0]
lib = ctypes.CDLL(glob.glob(site + '/lib/libnvrtc.so*')[0])
inc = site + '/include'
src = open(os.path.join(os.path.dirname(__file__), '..', 'Sources/LowBitCUDA/Kernels/tcfpx_gemm.cu')).read()

def compile_one(defs, arch='sm_90a'):
    head = ''.join(f'#define {k} {v}\n' for k, v in defs.items())
    prog = ctypes.c_void_p()
    code = (head + src).encode()
    assert lib.nvrtcCreateProgram(ctypes.byref(prog), code, b'tcfpx_gemm.cu', 0, None, None) == 0
    opts = [f'--gpu-architecture={arch}', f'-I{inc}', '--std=c++17', '--ptxas-options=-v', '-lineinfo']
    arr = (ctypes.c_char_p * len(opts))(*[o.encode() for o in opts])
    rc = lib.nvrtcCompileProgram(prog, len(opts), arr)
    n = ctypes.c_size_t(); lib.nvrtcGetProgramLogSize(prog, ctypes.byref(n))
    buf = ctypes.create_string_buffer(n.value); lib.nvrtcGetProgramLog(prog, buf)
    log = buf.value.decode(errors='replace')
    cub = b''
    if rc == 0:
        lib.nvrtcGetCUBINSize(prog, ctypes.byref(n)); b = ctypes.create_string_buffer(n.value)
        lib.nvrtcGetCUBIN(prog, b); cub = b.raw
    return rc, log, cub

configs = []
for (e, m) in [(3, 2), (2, 3), (2, 2), (3, 1), (2, 1), (1, 1), (4, 2)]:
    configs.append(dict(TCFPX_E=e, TCFPX_M=m, TCFPX_BF16=0, TCFPX_NT=2, TCFPX_MT=2, TCFPX_WARPS=4, TCFPX_STAGES=4, TCFPX_XALIGNED=1))
for nt in (1, 4, 8):
    configs.append(dict(TCFPX_E=3, TCFPX_M=2, TCFPX_BF16=0, TCFPX_NT=nt, TCFPX_MT=2, TCFPX_WARPS=4, TCFPX_STAGES=4 if nt == 1 else 3, TCFPX_XALIGNED=1))
configs.append(dict(TCFPX_E=3, TCFPX_M=2, TCFPX_BF16=1, TCFPX_NT=2, TCFPX_MT=2, TCFPX_WARPS=4, TCFPX_STAGES=4, TCFPX_XALIGNED=0))
configs.append(dict(TCFPX_E=3, TCFPX_M=2, TCFPX_BF16=0, TCFPX_NT=2, TCFPX_MT=1, TCFPX_WARPS=8, TCFPX_STAGES=2, TCFPX_XALIGNED=1))
configs.append(dict(TCFPX_E=2, TCFPX_M=3, TCFPX_BF16=1, TCFPX_NT=8, TCFPX_MT=1, TCFPX_WARPS=8, TCFPX_STAGES=3, TCFPX_XALIGNED=1))
configs.append(dict(TCFPX_E=3, TCFPX_M=2, TCFPX_BF16=0, TCFPX_NT=2, TCFPX_MT=2, TCFPX_WARPS=4, TCFPX_STAGES=4, TCFPX_XALIGNED=1, TCFPX_ACC2=1))
# intra-CTA split-K (TCFPX_KW): warps along K, RT = MT·WARPS/KW row tiles per CTA
for (e, m) in [(3, 2), (2, 3), (2, 2), (2, 1)]:
    for (nt, mt, warps, kw) in [(1, 1, 4, 4), (1, 2, 4, 4), (2, 2, 4, 4), (2, 1, 8, 4), (4, 2, 4, 2), (8, 2, 4, 2), (1, 1, 8, 8)]:
        configs.append(dict(TCFPX_E=e, TCFPX_M=m, TCFPX_BF16=0, TCFPX_NT=nt, TCFPX_MT=mt, TCFPX_WARPS=warps, TCFPX_KW=kw,
                            TCFPX_STAGES=4, TCFPX_XALIGNED=1, TCFPX_ACC2=1))
configs.append(dict(TCFPX_E=3, TCFPX_M=2, TCFPX_BF16=1, TCFPX_NT=2, TCFPX_MT=1, TCFPX_WARPS=4, TCFPX_KW=4, TCFPX_STAGES=4, TCFPX_XALIGNED=0, TCFPX_ACC2=1, TCFPX_CLUSTER=4))
only = int(sys.argv[1]) if len(sys.argv) > 1 else None
dump = sys.argv[2] if len(sys.argv) > 2 else None   # write the cubin of config `only` here (for nvdisasm)
for i, c in enumerate(configs):
    if only is not None and only != 0 and i != only - 1: continue
    rc, log, cub = compile_one(c)
    if dump and cub: open(dump, 'wb').write(cub)
    lines = [l for l in log.splitlines() if 'registers' in l or 'spill' in l or 'error' in l or 'warning' in l]
    print(c, 'rc', rc, 'cubin', len(cub))
    for l in (lines if rc == 0 else log.splitlines()[:40]): print('   ', l)
