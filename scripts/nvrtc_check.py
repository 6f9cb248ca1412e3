#!/usr/bin/env python3
"""Compile-check a .cu file with NVRTC (ctypes, no GPU needed) and print ptxas resource usage.

usage: nvrtc_check.py FILE.cu ARCH [-DNAME=VALUE ...]   (ARCH like sm_90a)
Needs libnvrtc.so.13 (pip nvidia-cuda-nvrtc) on LOWBIT_NVRTC or next to this venv.
"""
import ctypes, glob, os, sys

def find_lib():
    env = os.environ.get("LOWBIT_NVRTC")
    if env: return env
    for p in glob.glob(os.path.join(sys.prefix, "lib/python3*/site-packages/nvidia/cu13/lib/libnvrtc.so*")):
        if "builtins" not in p: return p
    return "libnvrtc.so.13"

def compile_cu(path, arch, defines):
    lib = ctypes.CDLL(find_lib())
    src = open(path, "rb").read()
    prog = ctypes.c_void_p()
    r = lib.nvrtcCreateProgram(ctypes.byref(prog), src, path.encode(), 0, None, None)
    assert r == 0, r
    opts = [f"--gpu-architecture={arch}".encode(), b"--std=c++17", b"--ptxas-options=-v", b"-lineinfo"] + [d.encode() for d in defines]
    arr = (ctypes.c_char_p * len(opts))(*opts)
    rc = lib.nvrtcCompileProgram(prog, len(opts), arr)
    size = ctypes.c_size_t()
    lib.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
    log = ctypes.create_string_buffer(size.value)
    lib.nvrtcGetProgramLog(prog, log)
    cubin_path = os.environ.get("CUBIN_OUT")
    if rc == 0 and cubin_path:
        n = ctypes.c_size_t()
        lib.nvrtcGetCUBINSize(prog, ctypes.byref(n))
        buf = ctypes.create_string_buffer(n.value)
        lib.nvrtcGetCUBIN(prog, buf)
        open(cubin_path, "wb").write(buf.raw)
    return rc, log.value.decode(errors="replace")

if __name__ == "__main__":
    path, arch, *defs = sys.argv[1:]
    rc, log = compile_cu(path, arch, defs)
    print(f"{' '.join(defs)} rc={rc}")
    for line in log.splitlines():
        if "flute_gemm" in line or "Used" in line or "spill" in line or "error" in line or "warning" in line or "stack" in line:
            print("  " + line.strip())
    sys.exit(0 if rc == 0 else 1)
