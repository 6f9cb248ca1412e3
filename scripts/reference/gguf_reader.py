"""Minimal, independent GGUF v3 reader for the LowBit reference implementation (numpy only).

Reads metadata and tensor infos, and dequantizes F32/F16/Q8_0/Q4_1/Q4_0 tensors to float32 arrays
shaped row-major [rows, cols] (GGUF lists the contiguous dimension first, so shape = dims reversed).
"""
import struct
import numpy as np

_SCALAR = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


class GGUF:
    def __init__(self, path):
        self.path = path
        self.buf = np.memmap(path, dtype=np.uint8, mode="r")
        self.pos = 0
        if bytes(self.buf[:4]) != b"GGUF":
            raise ValueError(f"{path}: not a GGUF file")
        self.pos = 4
        version = self._u32()
        if version not in (2, 3):
            raise ValueError(f"{path}: GGUF version {version}")
        n_tensors = self._u64()
        n_kv = self._u64()
        self.metadata = {}
        for _ in range(n_kv):
            key = self._str()
            vtype = self._u32()
            self.metadata[key] = self._value(vtype)
        self.tensors = {}
        for _ in range(n_tensors):
            name = self._str()
            nd = self._u32()
            dims = [self._u64() for _ in range(nd)]
            ttype = self._u32()
            offset = self._u64()
            self.tensors[name] = (dims, ttype, offset)
        align = int(self.metadata.get("general.alignment", 32))
        self.data_start = (self.pos + align - 1) // align * align

    def _read(self, fmt):
        size = struct.calcsize(fmt)
        (v,) = struct.unpack(fmt, bytes(self.buf[self.pos:self.pos + size]))
        self.pos += size
        return v

    def _u32(self):
        return self._read("<I")

    def _u64(self):
        return self._read("<Q")

    def _str(self):
        n = self._u64()
        s = bytes(self.buf[self.pos:self.pos + n]).decode("utf-8")
        self.pos += n
        return s

    def _value(self, vtype):
        if vtype in _SCALAR:
            return self._read(_SCALAR[vtype])
        if vtype == 8:
            return self._str()
        if vtype == 9:
            etype = self._u32()
            n = self._u64()
            if etype in _SCALAR and etype != 7:
                dt = np.dtype(_SCALAR[etype])
                arr = np.frombuffer(bytes(self.buf[self.pos:self.pos + n * dt.itemsize]), dtype=dt)
                self.pos += n * dt.itemsize
                return arr.tolist()
            return [self._value(etype) for _ in range(n)]
        raise ValueError(f"unknown GGUF value type {vtype}")

    def shape(self, name):
        dims = self.tensors[name][0]
        return list(reversed(dims))

    def tensor(self, name):
        """Dequantized float32 array, row-major [rows, cols]."""
        dims, ttype, offset = self.tensors[name]
        n = int(np.prod(dims))
        start = self.data_start + offset
        if ttype == 0:  # F32
            out = np.frombuffer(self.buf[start:start + 4 * n], dtype="<f4").astype(np.float32)
        elif ttype == 1:  # F16
            out = np.frombuffer(self.buf[start:start + 2 * n], dtype="<f2").astype(np.float32)
        elif ttype == 8:  # Q8_0: fp16 d, 32 x int8; x = d * q
            nb = n // 32
            raw = np.asarray(self.buf[start:start + nb * 34]).reshape(nb, 34)
            d = raw[:, :2].copy().view("<f2").astype(np.float32)
            q = raw[:, 2:].copy().view(np.int8).astype(np.float32)
            out = (d * q).reshape(-1)
        elif ttype == 3:  # Q4_1: fp16 d, fp16 m, 16 bytes; low nibble = element j, high = j + 16
            nb = n // 32
            raw = np.asarray(self.buf[start:start + nb * 20]).reshape(nb, 20)
            d = raw[:, 0:2].copy().view("<f2").astype(np.float32)
            m = raw[:, 2:4].copy().view("<f2").astype(np.float32)
            qs = raw[:, 4:]
            q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32)
            out = (d * q + m).reshape(-1)
        elif ttype == 2:  # Q4_0: fp16 d, 16 bytes; x = d * (q - 8)
            nb = n // 32
            raw = np.asarray(self.buf[start:start + nb * 18]).reshape(nb, 18)
            d = raw[:, 0:2].copy().view("<f2").astype(np.float32)
            qs = raw[:, 2:]
            q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8
            out = (d * q).reshape(-1)
        else:
            raise ValueError(f"{name}: unsupported ggml type {ttype}")
        return out.reshape(self.shape(name))
