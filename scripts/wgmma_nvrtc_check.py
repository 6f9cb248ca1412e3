#!/usr/bin/env python3
"""Compile-checks the large-batch wgmma kernels (tcfpx_gemm.cu + wgmma_common.cu + tcfpx_wgmma.cu, or with FMT=flute
flute.cu + wgmma_common.cu + flute_wgmma.cu, as one program as the host compiles them) with NVRTC, no GPU needed, and prints the ptxas register/spill/wgmma-serialization report.
Usage: python3 scripts/wgmma_nvrtc_check.py [NAME=VALUE ...]   (NVRTC from the pip venv of ci-cuda-compile.sh)"""
import ctypes, glob, os, sys
root = os.path.join(os.path.dirname(__file__), '..')
cache = os.environ.get('LOWBIT_CACHE', os.path.expanduser('~/.cache/lowbit'))
site = glob.glob(cache + '/cuda-ci/venv/lib/python3*/site-packages/nvidia/cu13')[0]
lib = ctypes.CDLL(site + '/lib/libnvrtc.so.13')
inc = site + '/include'
K = root + '/Sources/LowBitCUDA/Kernels/'
def source(fmt):
    common = open(K + 'wgmma_common.cu').read() + '\n'   # as TCFPxWgmma.swift concatenates the program
    if fmt == 'tcfpx': return open(K + 'tcfpx_gemm.cu').read() + '\n' + common + open(K + 'tcfpx_wgmma.cu').read()
    return open(K + 'flute.cu').read() + '\n' + common + open(K + 'flute_wgmma.cu').read()

def compile_one(fmt, defs, arch='sm_90a'):
    head = ''.join(f'#define {k} {v}\n' for k, v in defs.items())
    prog = ctypes.c_void_p()
    assert lib.nvrtcCreateProgram(ctypes.byref(prog), (head + source(fmt)).encode(), b'wgmma.cu', 0, None, None) == 0
    opts = [f'--gpu-architecture={arch}', f'-I{inc}', '--std=c++17', '--ptxas-options=-v', '-lineinfo']
    arr = (ctypes.c_char_p * len(opts))(*[o.encode() for o in opts])
    rc = lib.nvrtcCompileProgram(prog, len(opts), arr)
    n = ctypes.c_size_t(); lib.nvrtcGetProgramLogSize(prog, ctypes.byref(n))
    buf = ctypes.create_string_buffer(n.value); lib.nvrtcGetProgramLog(prog, buf)
    return rc, buf.value.decode(errors='replace')

extra = dict(a.split('=', 1) for a in sys.argv[1:] if '=' in a)
fmt = extra.pop('FMT', 'tcfpx')
if fmt == 'flute' and extra: extra.setdefault('FLUTE_LAYOUT_ONLY', 1)
flute_configs = [dict(FLUTE_LAYOUT_ONLY=1, FLUTE_BITS=b, FLUTE_BF16=bf, FWG_BN=bn, FWG_SLABS=sl, FWG_STAGES=st, FWG_POST=post)
                 for (b, bf, bn, sl, st, post) in [(4, 0, 128, 2, 3, 0), (4, 0, 64, 2, 4, 0), (4, 1, 128, 1, 4, 0),
                                                  (4, 0, 256, 1, 3, 0), (3, 0, 128, 2, 4, 0), (3, 1, 192, 1, 3, 1),
                                                  (2, 0, 64, 2, 6, 0), (2, 0, 128, 2, 4, 1)]]
configs = [extra] if extra else flute_configs if fmt == 'flute' else [
    dict(TCFPX_E=3, TCFPX_M=2, WGM_BN=128, WGM_SLABS=2, WGM_STAGES=4),
    dict(TCFPX_E=3, TCFPX_M=2, WGM_BN=128, WGM_SLABS=1, WGM_STAGES=5),
    dict(TCFPX_E=3, TCFPX_M=2, WGM_BN=192, WGM_SLABS=1, WGM_STAGES=3),
    dict(TCFPX_E=2, TCFPX_M=3, WGM_BN=128, WGM_SLABS=2, WGM_STAGES=4, TCFPX_BF16=1),
    dict(TCFPX_E=3, TCFPX_M=2, WGM_BN=64, WGM_SLABS=2, WGM_STAGES=5),
    dict(TCFPX_E=3, TCFPX_M=2, WGM_BN=64, WGM_SLABS=1, WGM_STAGES=6),
    dict(TCFPX_E=3, TCFPX_M=2, WGM_BN=32, WGM_SLABS=2, WGM_STAGES=6),
    dict(TCFPX_E=3, TCFPX_M=2, WGM_BN=32, WGM_SLABS=1, WGM_STAGES=6),
    dict(TCFPX_E=2, TCFPX_M=3, WGM_BN=64, WGM_SLABS=2, WGM_STAGES=5, TCFPX_BF16=1),
]
for c in configs:
    for arch in (['sm_90a', 'sm_80'] if c is configs[0] else ['sm_90a']):
        rc, log = compile_one(fmt, c, arch)
        keep = [l for l in log.splitlines() if ('wgmma' in l and 'Function properties' not in l) or 'error' in l
                or 'warning' in l or ('registers' in l) or 'spill' in l]
        print(arch, c, 'rc', rc)
        for l in (keep if rc == 0 else log.splitlines()[:40]): print('   ', l)
